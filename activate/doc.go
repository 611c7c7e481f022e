// Package activate turns a directory into its project environment: it finds
// the nearest .noxprofile, checks that the user trusts it, evaluates it
// in-process with mvdan.cc/sh's interpreter, pins its packages in the lock
// file, realizes them as one generation, and computes the difference to
// apply to a shell, with the state needed to revert it later.
//
// An untrusted file is never evaluated in any way. The package does not
// print and does not read the process environment: both are given to it.
package activate
