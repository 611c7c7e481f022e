//go:build front

package main

// Built with the tag front, this package is noxenv-prompt, installed in
// PREFIX/libexec/noxenv beside noxenv (built without it), whose hook
// command writes its path into the hook: the prompt's export of a project
// whose evaluation is cached, or of a directory outside any project, is
// all of the work of most prompts that run anything, and package front
// answers it (and exec) at its initialization. This program is that
// package alone: a program of 3 MB starts faster than noxenv's 6 MB.
// Anything front leaves (an evaluation, a settings file beyond the plain
// form settings.DecodePlain reads, any other command) it hands to noxenv,
// with the same command line and environment, before printing anything.
// Users run noxenv itself: a hand-over from a Go program costs more than
// starting one (about 2 ms), which every other command would pay.

import (
	"runtime"

	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
)

// init runs only when package front did not answer, after every other
// package's: it keeps the main goroutine on the main thread, where the
// runtime keeps it during initialization, so that the hand-over's execve
// comes from the main thread. From another thread the kernel first ends
// the main one and gives the process's ID to the caller, and a tracer
// reports the execve superseded, its arguments left out (strace -f -z).
// Locked from the start, the front's answers took 0.1 ms more.
func init() { runtime.LockOSThread() }

func run(argv []string) int { return front.HandOver(argv) }
