// Package hook holds the snippets that `noxenv hook SHELL` prints: the code
// that runs at every prompt (and, in zsh and fish, at every cd) of bash, zsh
// and fish, and evaluates `noxenv export SHELL` only when something may
// have changed.
//
// The fast path is one test builtin over the checks the last export left in
// the shell variable _noxenv_check (see FastPath): the same working
// directory, each watched file still there with the very modification time
// the evaluation read, each absent one (a .noxprofile in the directories up
// to the project, a watched file that did not exist) still absent. It
// starts no process, no subshell and no command substitution, and never
// looks at a directory's modification time, so a busy home or /tmp costs
// nothing.
//
// A time is compared, to the nanosecond, with a stamp file carrying the
// same time (see Stamp): the file is unchanged when it is neither newer
// (-nt) nor older (-ot) than its stamp, so a file replaced by an older one
// (mv, cp -p, a symbolic link pointed elsewhere) is a change too. That
// the time read is the time of what the evaluation read, and that a later
// write cannot carry the same time, is the evaluation's side (package
// activate); a watched file it could not be sure of makes the check fail
// (FastPath.Stale). Stamps are shared by every shell and removed after a
// week (a shell whose stamp is gone exports again).
//
// The snippets keep $?, keep the shell's other prompt hooks, are safe under
// set -u, register once however often they are evaluated, and call noxenv
// by the absolute path given to Snippet.
//
// The package knows nothing of stores, profiles or projects.
package hook
