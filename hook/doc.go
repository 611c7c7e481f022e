// Package hook holds the snippets that `noxenv hook SHELL` prints: the code
// that runs at every prompt (and, in all but bash, at every cd) of bash,
// zsh, fish, tcsh and elvish, and evaluates `noxenv export SHELL` only when
// something may have changed.
//
// The fast path is a check the last export left in the shell (see
// FastPath): the same working directory, each watched file still there as
// the evaluation read it, each absent one (a project file in the
// directories up to the project's: a .noxprofile, and an .envrc with the
// setting load-envrc; a watched file that did not exist) still absent. It
// uses the shell's builtins only: no process, no subshell, no command
// substitution. It never looks at a directory's modification time, so a
// busy home or /tmp costs nothing.
//
// How each shell tells a file is as the evaluation read it:
//
//   - bash, zsh and fish compare its modification time, to the nanosecond,
//     with a stamp file carrying the same time (see Stamp): the file is
//     unchanged when it is neither newer (test -nt) nor older (-ot) than
//     its stamp, so a file replaced by an older one (mv, cp -p, a symbolic
//     link pointed elsewhere) is a change too. A watched symbolic link
//     must also still lead to the file it led to (test -ef), which tells
//     two files of the same time apart. Stamps are shared by every
//     shell and removed after a week (a shell whose stamp is gone exports
//     again).
//   - tcsh compares the whole seconds of the time (-M), all its file
//     inquiry operators tell, and a link's target by device and inode
//     (-F). In the second a watched file changed, a
//     later change could keep the same second: until that second is over
//     the check fails and each prompt starts one export, which finds the
//     file unchanged (to the nanosecond) and evaluates nothing.
//   - elvish (0.19) has no builtin that tells a file's time, so it compares
//     the file's content with the content the evaluation read (read by the
//     export, files of up to a mebibyte; larger ones, and what is neither a
//     file nor a directory, make each prompt export), and a directory's
//     names (watch_dir) with the names it held. A change of time alone, or
//     a file replaced by one of the same content, is seen at the next
//     export (another directory, another change) rather than at the next
//     prompt.
//
// Leaving a project for a directory outside any is the shell's work too,
// but in tcsh: the export of a project leaves, beside its check, the
// function _noxenv_leave (elvish: the data of a function of the hook),
// which the hook calls when the check fails. It gives the environment back as the export would, says
// that it unloads and leaves the check of the new directory, or, where the
// export could decide otherwise (a project file in the new directory or
// above, a variable of the project changed, a settings file changed, a
// reload asked for), fails, and the hook exports (see Leave).
//
// That the time recorded is the time of what the evaluation read, and that
// a later write cannot carry the same time, is the evaluation's side
// (package activate); a watched file it could not be sure of makes the
// check fail (FastPath.Stale).
//
// The snippets keep $? (tcsh keeps $status across precmd itself, and zsh
// for each precmd and chpwd function; elvish has none), keep the user's
// ERR trap (bash; zsh: ZERR) out of the code they evaluate, keep the shell's other prompt hooks, are safe under set -u,
// register once however often they are evaluated, and call noxenv by the
// absolute path given to Snippet. tcsh's hook is a file written under the
// hook state directory, which the line `noxenv hook tcsh` prints sources:
// tcsh's eval of a command substitution keeps neither newlines nor
// multi-line if. Its exports go through a file per shell too, sourced,
// for the same reason. bash's hook keeps the user's INT trap in a file per
// shell under that directory while it exports (see bashSnippet).
//
// What each shell's builtins cost decides the shape of its check
// (bench/hook_shells.sh, figures in BENCHMARKS.md). tcsh spends tens of
// microseconds on each command, so its prompt runs one if. elvish spends
// most on output capture, a pipe each, so its check captures once and
// compares by looking what it read up in a map; it reads the watched
// files (a few kilobytes) because 0.19 has no builtin for a file's time,
// and still costs under 0.05x direnv's prompt. Entering a project costs
// one export, a process, in every shell, and leaving one none, but in
// tcsh; tcsh adds what it pays for any
// change of the environment, whoever makes it: it re-reads every
// directory of PATH when PATH changes (about 2 ms for a PATH of 14
// directories and 2,600 entries), rebuilds its environment at each
// setenv and forks itself to start a command. direnv's cd pays the same
// on top of its own export, so in tcsh a cd costs about 0.25x direnv's
// where in bash it costs 0.15x: below 0.2x needs noxenv itself to start
// faster, not less work in the shell.
//
// The package knows nothing of stores, profiles or projects.
package hook
