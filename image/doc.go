// Package image makes OCI images of a generation's closure: every entry at
// its own absolute store path, the generation's tree at /noxenv/profile (the
// same in every image, wherever the builder's stores and state are), and
// as the image's environment the generation's environment relative to that
// tree. It takes the generation and its environment as values: evaluating a
// project, or realizing packages, is the caller's.
//
// # Layers
//
// An entry's popularity is the number of other entries of the closure that
// depend on it, directly or through others: the number of entries from
// which its id is reached by following references. Entries are ranked by
// popularity, most popular first, ties broken by entry id, then path.
//
// An image of at most N layers (Options.MaxLayers) with B layers of a base
// image holds: the base's layers; then one layer for each of the N-B-1 best
// ranked entries, in rank order; then a last layer holding the rest of the
// entries (in rank order), followed by the generation's tree at
// /noxenv/profile and its metadata (the generation's manifest, which it
// holds). A closure of at most N-B-1 entries gets a layer per entry and a
// last layer holding only the tree. Entries used by many others (a libc, a
// runtime) so come first and each alone, where images built from different
// closures share them and registries store and send them once.
//
// # Determinism
//
// A layer is a tar written by cache.LayerWriter (members sorted, times the
// epoch, owners root, modes 0755 or 0644 by the executable bit, 0777 for
// symlinks) compressed with gzip at its fastest level, which every image
// tool and runtime reads (zstd, which caches use, is refused by umoci
// 0.4.7 and by containerd before 1.5). The image's config has no
// time but the epoch and no trace of the builder: the same closure with
// the same options gives the same manifest digest on any machine, whatever
// the times, owners or permission bits of the stores' files.
//
// # Layer cache
//
// Entries are immutable and named by their content, so the layer of an
// entry at a path is cached by its id and path (under Options.CacheDir):
// rebuilding after an entry changed reads and compresses only that
// entry's files and the last layer's tree. The last layer is written in
// pieces, one per entry it holds and one for the tree, each continued from
// the checkpoint of the piece before; a piece is cached under the ids and
// paths of its entry and every entry before it in the layer, so a change
// re-reads only the entries of the last layer from the changed one on.
// Plain entries (without metadata, not named by their content) are read
// every time. The cache may be deleted at any moment between builds;
// what was not used for 30 days is removed by the next build.
//
// # Output
//
// Image.WriteLayout writes an OCI image layout directory, Image.WriteArchive
// a docker-archive tarball (what docker save writes and docker load and
// podman load read: manifest.json, the config, and each layer as an
// uncompressed tar), and Image.Push sends the image to a registry with the
// credentials of the binary caches. Each is built aside and renamed into
// place: an interrupted build leaves nothing at the output.
//
// # Base images
//
// Builder.OpenBase reads a base image whose layers go below the closure's: an OCI
// image layout directory (DIR, or DIR:TAG when it holds several images), a
// docker-archive tarball (docker save's, legacy or OCI), or a registry
// reference (HOST[:PORT]/REPO[:TAG|@DIGEST], Docker Hub's short names
// included). The image keeps the base's configuration (user, ports,
// volumes, labels, its PATH after the profile's) where the options do not
// set it.
package image
