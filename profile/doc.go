// Package profile presents sets of store entries as one prefix: a forest of
// symlinks into the stores, built once per member set and reused, with
// named and ad hoc profiles whose generations switch atomically.
//
// A directory that only one member provides is one symlink (folded); it is
// unfolded into a real directory when a second member adds to it. Two
// members providing the same file conflict unless their priorities differ
// or the contents are identical. A member's closure is part of the union,
// ranked after the members of its priority. Only the directories several
// entries share are looked at, in the listings the store keeps beside its
// entries where they record them, else on disk; the links are made while
// the rest is planned, several at a time, relative to the open tree.
//
// On disk, a generation is GENS/KEY, KEY a hash of its sorted (entry id,
// priority) pairs, holding the tree and its manifest (ManifestFile, read
// by LoadManifest). It is built in a temporary directory GENS/.tmp-* and
// renamed into place, so a generation directory is always complete; a
// leftover .tmp-* directory is garbage. A profile P is a symlink to
// P-N-link, a symlink to the generation; beside them lie hidden records
// .P-N.json (time, members, changes) and the lock .P.lock.
//
// FindRoots enumerates what gc keeps: every generation of user, release
// and ad hoc profiles (roots/adhoc/KEY links, pruned once their profile is
// gone), each project's generations while its .noxprofile exists
// (projects/KEY/{profile,noxprofile}, pruned once it is gone), and live
// noxenv shell sessions (sessions/KEY, a file its session holds flocked),
// the generations running shells loaded (see package shellroot), and the
// generations running processes name in NOXENV_PROFILE.
// A generation's manifest says what it keeps alive.
//
// The package does not print and does not read the process environment.
package profile
