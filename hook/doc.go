// Package hook holds the snippets that `noxenv hook SHELL` prints: the code
// that runs at every prompt (and, in zsh and fish, at every cd) of bash, zsh
// and fish, and evaluates `noxenv export SHELL` only when something may
// have changed.
//
// The fast path is one test builtin over the checks the last export left in
// the shell variable _noxenv_check (see FastPath): the same working
// directory, each watched file still there and no newer than a stamp file,
// each absent one (a .noxprofile in the directories up to the project, a
// watched file that did not exist) still absent. It starts no process, no
// subshell and no command substitution, and never looks at a directory's
// modification time, so a busy home or /tmp costs nothing.
//
// A stamp's time is set back to the previous whole second and one more
// (StampTime), so that a file modified after the export started reading
// files is newer even on a filesystem with coarse timestamps; a file
// modified just before can only cause one more export. Stamps are shared
// by every shell, never modified once in place, and removed after a week
// (a shell whose stamp is gone exports again).
//
// The snippets keep $?, keep the shell's other prompt hooks, are safe under
// set -u, register once however often they are evaluated, and call noxenv
// by the absolute path given to Snippet.
//
// The package knows nothing of stores, profiles or projects.
package hook
