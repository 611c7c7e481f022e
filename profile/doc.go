// Package profile presents sets of store entries as one prefix: a forest of
// symlinks into the stores, built once per member set and reused, with
// named and ad hoc profiles whose generations switch atomically.
//
// A directory that only one member provides is one symlink (folded); it is
// unfolded into a real directory when a second member adds to it. Two
// members providing the same file conflict unless their priorities differ
// or the contents are identical.
//
// The package does not print and does not read the process environment.
package profile
