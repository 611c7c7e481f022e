// Package cache moves entries between machines through binary caches: a
// repository of an OCI distribution registry, a directory (local, NFS, or
// synced to an object store), or such a directory served by any static
// web server. It builds on the store's public API only; the store knows
// nothing of caches and asks for missing entries through the
// store.Fetcher that a Fetcher implements. Download is the HTTP side of
// a project file's fetchurl, which activate verifies and keeps.
//
// # Format
//
// Every kind holds the same things. Per entry:
//
//   - a layer blob: a tar of the entry's tree, deterministic (members
//     sorted, times the epoch, owners root, modes 0755/0644/0777),
//     compressed with zstd at its fastest level, so that the same entry
//     pushed from any machine gives the same digests (LayerWriter);
//   - a standard OCI image config (its rootfs the layer's diff_id, its
//     label io.github.noxenv.id the entry's id), so that registries and
//     tools such as skopeo take the entry as an image;
//   - an OCI image manifest of those two, annotated with the entry's id
//     (io.github.noxenv.id), its .noxinfo without the time it was added
//     (io.github.noxenv.info), the store path its files contain, if any
//     (io.github.noxenv.store), its signatures (io.github.noxenv.signatures)
//     and, on the layer, the size of the uncompressed tar
//     (io.github.noxenv.tar-size).
//
// The manifest is found by the entry's Key, the HASH part of its id: a
// registry tag, or entries/KEY.json in a directory. The references of an
// entry are ids listed in its manifest, each found by its own Key, so a
// closure is fetched a level of references at a time without listing the
// cache; only List (and Resolve, which picks entries by name) reads every
// manifest.
//
// # Trust
//
// What a cache sends is untrusted until the entry's id is recomputed from
// it. A layer is streamed through checks of its size and digest into
// store.SearchPath.Receive, which unpacks it with store add's refusals
// (no member outside the tree, no device), never more file contents than
// the entry's recorded size, into a hidden directory, and publishes the
// entry only once its tree and metadata give the id asked for. An entry
// asked for by id needs no signature; one chosen by name (Resolve) must be
// signed by a trusted ed25519 key. An entry whose files contain the path
// of the store it was pushed from is refused by a store elsewhere.
//
// # Kinds
//
// Cache is the small interface every kind implements (read: manifests by
// key, blobs by digest, the keys held); a pushTarget also takes blobs and
// manifests. dir.go, registry.go and http.go each hold one kind.
// NewRepository and NewHTTPClient are the registry and HTTP clients
// (credentials from the docker configuration, bounded waits, retries with
// backoff on 429 and 5xx), PushBlob and PushManifest its uploads, and
// LayerWriter (zstd here, gzip for images; a layer may be written in
// pieces, each continued from a Checkpoint) the deterministic layers, for
// this package and for images.
package cache
