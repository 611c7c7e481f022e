// Package activate turns a directory into its project environment: it finds
// the nearest project file (a .noxprofile, or with the setting load-envrc
// an .envrc, a directory's .noxprofile winning), checks that the user trusts it, evaluates it
// in-process with mvdan.cc/sh's interpreter, pins its packages in the lock
// file, realizes them as one generation, and computes the difference to
// apply to a shell, with the state needed to revert it later.
//
// An untrusted file is never evaluated in any way: trust is keyed on the
// file's path and content, and the content evaluated is the content
// checked. A locked request is never resolved again unless asked to. The
// project's current generation is recorded as a gc root before the
// stores' guard is released.
//
// Packages belong to the shell context that used them, as variables do: a
// use in a subshell or a command substitution serves the commands there
// and is not part of the project's generation, which is what the
// script's top level ends with (the empty generation once the project
// uses no packages any more).
//
// The builtins (use, use_profile and direnv's standard library) behave as
// shell functions of the script: a failure is an exit status the script
// may handle, its message printed at the call's position unless the
// script goes on to end with it; their output follows the caller's
// redirections. Those that need no Go are shell functions (stdlib.sh),
// parsed once per process. A function the script defines under a
// builtin's name replaces the builtin.
//
// An evaluation that ran no external command, wrote no file, globbed
// nothing, met no unlocked request, listed no variables (${!prefix*}, a
// background job), expanded nothing that changes by itself ($RANDOM, $$,
// $PPID, an indirection ${!name}; in code it evals too), looked up no
// command (type, command -v; has is followed) and sourced no file with source or .
// (source_env is followed) is cached with everything it read (variables,
// files with their mode and time, links); the cache returns its result
// only while all of that is unchanged, and never skips the trust check. A
// cached evaluation does not run the script again, so its log_status
// lines are not repeated.
//
// A project is evaluated again when a file the evaluation read (the
// .noxprofile, its lock and trust record, dotenv, sourced and watched
// files) appeared, vanished, has a modification time different from
// the one it had when the evaluation read it, later or earlier, or, a
// symbolic link, leads to another file. Each file
// is observed before it is read, and a file written so shortly before
// that a later write could carry the same time is observed again once
// that guard has passed: the kernel's clock tick where the file system
// keeps fine times, a few milliseconds. Where it keeps coarse ones
// (whole seconds, FAT's two), the file counts as changed until an
// evaluation finds it settled. noxenv's own write of the lock during an
// evaluation is no change.
//
// A project file runs as bash runs it, or not at all: a construct the
// interpreter would run otherwise (printf's %q, an extended glob in
// ${var##+(/)}, a redirection of descriptor 3, a RETURN trap,
// $BASH_SOURCE, arithmetic on a value that is not an integer constant,
// word splitting on IFS=: ...) is an error naming it and its
// FILE:LINE:COL, before the file runs where it can be told from the text,
// as it runs otherwise. What bash does that the interpreter lacks but can
// run in its own terms is run so: printf -v, shopt -q and -p, errexit off
// in command substitutions, $(<f) failing when f cannot be opened (and
// then, under errexit, ending the script even where handled, as bash
// does), the last command of a pipeline in a subshell,
// arithmetic operands of [[ -eq ]], read's splitting on IFS=:, the
// removal of backslash escapes from a word expanded as one string (an
// assignment's value, a redirection's file, case's word, an operand of
// [[ ]]; a pattern keeps them), an EXIT
// trap's code in a subshell (bash runs it after direnv took the
// environment).
//
// An evaluation cut short (its time limit, an interruption) ends every
// process it started, whatever signals they ignore: its commands and
// their descendants, and what left them (a child whose parent exited, a
// daemon in a session of its own), which the variable NOXENV_EVALUATION,
// given to every command, tells; the files its redirections opened are
// closed, which ends a read that would not end by itself (read or $(<f)
// of a device, of a FIFO whose writer never writes). An evaluation that
// ends by itself leaves the daemons it started running.
//
// What a prompt needs without evaluating anything (finding the project
// file, its trust, the state a shell carries, what it watches, the cached
// results, the diff) is package prompt's, which this package evaluates
// for.
//
// The package does not print and does not read the process environment:
// both are given to it.
package activate
