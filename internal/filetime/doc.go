// Package filetime says when a modification time tells every later write
// apart: a write gets the time of the kernel's coarse clock, cut to what
// the file system keeps, so a write right after another can carry the
// very same time. A time older than its guard (that precision and a tick
// of the clock) cannot be given again by a write to come.
//
// Package prompt uses it for the files a cached evaluation watched, and
// package store for the store directories whose listing it keeps. It
// imports nothing but the standard library and x/sys, so that the
// prompt's program pays nothing for it at start-up.
package filetime
