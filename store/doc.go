// Package store keeps package entries in ordinary directories: immutable,
// content-addressed trees with their metadata and references, in several
// stores searched in precedence order.
//
// A store is managed when it holds a .noxstore marker; noxenv adds to and
// collects garbage in managed, writable stores only. Every other store of
// the search path is read-only, whatever its permissions.
//
// An entry is the directory ID/ and its metadata ID.noxinfo beside it; it
// exists only when both do. Beside them, ID.noxdirs lists the names in the
// entry's shallower directories (ReadListing), so that a profile can be
// planned without reading every entry's bin/, lib/, share/...; an entry
// without one (a plain entry, or one an older noxenv added) is read from
// its tree. ID is HASH-NAME-VERSION, HASH 32 characters of
// Nix's base32 alphabet derived from the canonical content hash (file
// types, contents, the executable bit and symlink targets in sorted order),
// the name, version, references and env settings; never from the store's
// directory, so that entries are relocatable. A plain entry is a NAME-VERSION
// directory without metadata, installed some other way. Names starting with
// "." are noxenv's own (.noxstore, lock files, .tmp- trees of adds in
// progress or killed) and never entries.
//
// Add copies into a hidden .tmp- directory of the store, hashing and
// scanning for references as it copies, makes the tree read-only, renames
// it to ID/, writes ID.noxdirs and then ID.noxinfo, each by rename: that
// last rename makes the entry visible. Two adds of the same content both succeed with one entry.
//
// Receive takes an entry from elsewhere (a binary cache) as a tar stream:
// untrusted input, unpacked with the refusals of a tarball add into a
// hidden .tmp- directory, never more file contents than its metadata
// declares, and published as an add is only once the tree and metadata
// give the id asked for. The store knows nothing of caches: Need asks the
// search path's Fetcher, which the caller sets, for the entries that no
// store holds.
//
// Garbage collection (PlanSweep, Sweep) deletes the entries of the
// managed, writable stores whose ids no root keeps alive, never a plain
// entry. An entry goes dependents first, its metadata before its listing
// and its tree (renamed to a hidden .trash- name, then removed), so that every remaining
// entry's closure is complete whenever gc stops; trash, unfinished adds
// and trees without metadata are removed by the next gc. gc holds the
// exclusive Guard from reading its roots to the end; whoever picks entries
// holds the shared Guard until its result is recorded as a root.
//
// A store may be reached from several state directories (several users of
// a group store, one user's homes on several machines), whose gc cannot
// see each other's roots. So each root records, in every collectable store
// it keeps entries of, what it keeps alive there: STORE/.noxroots/OWNER/KEY
// lists entry ids, one a line, OWNER naming a user and state directory
// (uid and the state directory's own id, with its host and path in
// OWNER/.origin), KEY a generation. A record is written (RecordRoots) when
// the generation is realized, under the shared Guard, and gc rewrites its
// own owner's records to match its live roots (SyncRecords). gc reads
// every other owner's records as roots: a gc never deletes what another
// state directory's profiles, projects or sessions use. Records of a state
// directory that is gone for good keep their entries until they are
// released (ReleaseRecords). A record that cannot be read as a list of
// entries is returned as damaged, for gc to delete nothing on the
// strength of it; its owner's SyncRecords writes it again.
//
// Resolving a name reads the store's directory once per search path. A
// search path told where (CacheItemsIn) keeps the items it read in a file
// a store, for the next process to read instead while the directory's
// device, inode, modification and change times are those it was read
// with; a directory changed too recently for its times to tell a later
// change apart (a minute, where its times come from another machine's
// clock) is read each time. gc reads the directory itself.
//
// The package promises that an entry is either wholly present, with its
// .noxinfo metadata, or absent: an add killed at any point leaves nothing
// visible. It does not print, and does not read the process environment:
// the search path is given to it.
package store
