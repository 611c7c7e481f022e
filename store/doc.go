// Package store keeps package entries in ordinary directories: immutable,
// content-addressed trees with their metadata and references, in several
// stores searched in precedence order.
//
// A store is managed when it holds a .noxstore marker; noxenv adds to and
// collects garbage in managed, writable stores only. Every other store of
// the search path is read-only, whatever its permissions.
//
// The package promises that an entry is either wholly present, with its
// .noxinfo metadata, or absent: an add killed at any point leaves nothing
// visible. It does not print, and does not read the process environment:
// the search path is given to it.
package store
