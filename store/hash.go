package store

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"sort"
)

// The canonical content hash of a tree is sha256 over its items sorted by
// path ("/"-separated, relative, the root excluded). Each item is its kind
// byte and path, NUL-terminated, then for a regular file the sha256 of its
// contents, for a symlink its target, NUL-terminated. Kinds: 'd' directory,
// 'f' file, 'x' executable file (any execute bit), 'l' symlink. Nothing else
// of a file counts: not mtimes, owners or other permission bits. Hashing
// files separately lets the copy hash many files at once.

const (
	kindDir     = 'd'
	kindFile    = 'f'
	kindExec    = 'x'
	kindSymlink = 'l'
)

// item is one file, directory or symlink of a tree.
type item struct {
	path   string // relative, "/"-separated
	kind   byte
	target string            // symlink target
	digest [sha256.Size]byte // sha256 of a file's contents
	size   int64
}

// treeHash returns the canonical content hash of items (in any order; they
// are sorted in place).
func treeHash(items []*item) [sha256.Size]byte {
	sort.Slice(items, func(i, j int) bool { return items[i].path < items[j].path })
	h := sha256.New()
	h.Write([]byte("noxenv-tree-1\x00"))
	buf := make([]byte, 0, 512)
	for _, it := range items {
		buf = append(buf[:0], it.kind)
		buf = append(buf, it.path...)
		buf = append(buf, 0)
		switch it.kind {
		case kindFile, kindExec:
			buf = append(buf, it.digest[:]...)
		case kindSymlink:
			buf = append(buf, it.target...)
			buf = append(buf, 0)
		}
		h.Write(buf)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// totals returns the size of the files of items and how many files and
// symlinks they are, as .noxinfo records them.
func totals(items []*item) (size int64, files int) {
	for _, it := range items {
		switch it.kind {
		case kindFile, kindExec:
			size += it.size
			files++
		case kindSymlink:
			files++
		}
	}
	return size, files
}

// formatHash is the hash as .noxinfo records it.
func formatHash(sum [sha256.Size]byte) string { return "sha256:" + hex.EncodeToString(sum[:]) }

// nixBase32 encodes with Nix's alphabet; 20 bytes give 32 characters.
var nixBase32 = base32.NewEncoding(base32Alphabet).WithPadding(base32.NoPadding)

// entryID derives the id of an entry from what defines it: its content
// hash, name, version, references and env settings; never its store.
func entryID(info *Info) string {
	h := sha256.New()
	h.Write([]byte("noxenv-entry-1\x00"))
	for _, s := range []string{info.Hash, info.Name, info.Version} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	refs := append([]string(nil), info.References...)
	sort.Strings(refs)
	for _, r := range refs {
		h.Write([]byte(r))
		h.Write([]byte{0})
	}
	env := []byte("[]")
	if len(info.Env) > 0 {
		env, _ = json.Marshal(info.Env)
	}
	h.Write(env)
	sum := h.Sum(nil)
	return nixBase32.EncodeToString(sum[:20]) + "-" + info.Name + "-" + info.Version
}
