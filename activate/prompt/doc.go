// Package prompt is what a shell's prompt needs from activation without
// evaluating anything: the project file of a directory and whether the user
// trusts it, the state a shell carries (NOXENV_STATE: the project loaded,
// what it changed, the files it watches), whether that state still holds,
// an evaluation's cached result, and the difference to apply to a shell.
// Next decides what a shell becomes, and calls the evaluation it is given
// (package activate's) only when a project file must be evaluated.
//
// The package imports nothing that costs a process at start-up (no shell
// interpreter, no store, no settings file parser), so that the small
// program answering most prompts (cmd/noxenv built with the tag front)
// starts as fast as Go allows. It writes no file, does not print and does
// not read the process environment: the environment is given to it.
package prompt
