package store

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// TarballError is a tarball that add rejects: corrupt, or with a member
// that would land outside the tree or that an entry cannot hold.
type TarballError struct {
	Source string
	Member string // "" when the tarball as a whole is at fault
	Reason string
	Err    error
}

func (e *TarballError) Error() string {
	switch {
	case e.Member != "" && e.Err != nil:
		return fmt.Sprintf("tarball %s: member %s: %s: %v", e.Source, e.Member, e.Reason, e.Err)
	case e.Member != "":
		return fmt.Sprintf("tarball %s: member %s: %s", e.Source, e.Member, e.Reason)
	case e.Err != nil:
		return fmt.Sprintf("tarball %s: %s: %v", e.Source, e.Reason, e.Err)
	}
	return fmt.Sprintf("tarball %s: %s", e.Source, e.Reason)
}

func (e *TarballError) Unwrap() error { return e.Err }

var (
	gzipMagic = []byte{0x1f, 0x8b}
	xzMagic   = []byte{0xfd, '7', 'z', 'X', 'Z', 0}
)

// ErrNoXZ is the error of an xz tarball added without AddOptions.Unxz.
var ErrNoXZ = errors.New("this program reads no xz streams")

// IsXZ reports whether the file at path starts as an xz stream does.
func IsXZ(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(xzMagic))
	_, err = io.ReadFull(f, head)
	return err == nil && bytes.Equal(head, xzMagic)
}

// maxLinkHops bounds symlink resolution of member paths.
const maxLinkHops = 40

// tarImport is the state of one tarball being imported.
type tarImport struct {
	src   string
	dst   string // the directory members land in
	strip int    // -1: automatic
	t     *tree
	sc    *refScanner
	buf   []byte
	items map[string]*item // by path, the last member wins
	order []string         // paths in the order they first appeared
	// budget is how many bytes of file contents may still be written; -1
	// is no limit.
	budget int64
}

// importTarball streams the tarball src into dst, hashing and scanning each
// member as it is written, and returns the root of the entry's tree: dst,
// or its single top-level directory when strip is automatic (-1).
func importTarball(ctx context.Context, src, dst string, strip int, unxz func(io.Reader) (io.Reader, error), known map[string]string, t *tree) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r, err := decompress(src, f, unxz)
	if err != nil {
		return "", err
	}
	return unpack(ctx, &tarImport{src: src, dst: dst, strip: strip, t: t, sc: newRefScanner(known), budget: -1}, r)
}

// unpack writes the members of the uncompressed tar stream r as x says,
// refusing what add refuses of a tarball, and returns the root of the tree.
func unpack(ctx context.Context, x *tarImport, r io.Reader) (root string, err error) {
	defer func() {
		// A read that failed because the context was cancelled (a
		// transfer interrupted) is no fault of the tarball's.
		if cerr := ctx.Err(); err != nil && cerr != nil {
			root, err = "", cerr
		}
	}()
	src, dst, strip, t := x.src, x.dst, x.strip, x.t
	x.buf = make([]byte, copyBufSize)
	x.items = map[string]*item{}
	tr := tar.NewReader(r)
	members := 0
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && members == 0 {
			return "", &TarballError{Source: src, Reason: "not a tarball, or a corrupt one", Err: err}
		}
		if err != nil {
			return "", &TarballError{Source: src, Reason: "corrupt tarball", Err: err}
		}
		members++
		if err := x.member(hdr, tr); err != nil {
			return "", err
		}
	}
	// Read to the end, so that the decompressor checks its trailer.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return "", &TarballError{Source: src, Reason: "corrupt tarball", Err: err}
	}
	if members == 0 {
		return "", &TarballError{Source: src, Reason: "not a tarball, or an empty one"}
	}
	for id := range x.sc.found {
		t.refs[id] = true
	}
	root = dst
	if top := x.singleTop(); top != "" && strip < 0 {
		root = filepath.Join(dst, top)
		x.reroot(top)
	}
	t.items = t.items[:0]
	for _, p := range x.order {
		if it := x.items[p]; it != nil {
			t.items = append(t.items, it)
		}
	}
	return root, nil
}

// decompress recognizes gzip and xz by their magic numbers; anything else
// is read as a plain tar. unxz reads xz (nil: none can be read).
func decompress(src string, f io.Reader, unxz func(io.Reader) (io.Reader, error)) (io.Reader, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(len(xzMagic))
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &TarballError{Source: src, Reason: "corrupt gzip stream", Err: err}
		}
		return zr, nil
	case bytes.HasPrefix(head, xzMagic):
		if unxz == nil {
			return nil, &TarballError{Source: src, Reason: "xz stream", Err: ErrNoXZ}
		}
		zr, err := unxz(br)
		if err != nil {
			return nil, &TarballError{Source: src, Reason: "corrupt xz stream", Err: err}
		}
		return zr, nil
	}
	return br, nil
}

// memberPath cleans a member name and applies --strip; skip is true for a
// member that --strip removes.
func (x *tarImport) memberPath(name string) (p string, skip bool, err error) {
	if strings.HasPrefix(name, "/") || filepath.IsAbs(name) {
		return "", false, &TarballError{Source: x.src, Member: name, Reason: "absolute path"}
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", false, &TarballError{Source: x.src, Member: name, Reason: `".." in its path`}
		}
	}
	p = path.Clean(name)
	if p == "." {
		return "", true, nil
	}
	if x.strip > 0 {
		comps := strings.SplitN(p, "/", x.strip+1)
		if len(comps) <= x.strip {
			return "", true, nil
		}
		p = comps[x.strip]
	}
	return p, false, nil
}

// resolve follows the symlinks of the tree in the directories leading to p,
// lexically: a member lands where the filesystem would put it, and never
// outside the tree.
func (x *tarImport) resolve(member, p string) (string, error) {
	comps := strings.Split(p, "/")
	for hops := 0; ; hops++ {
		changed := false
		for i := 1; i < len(comps); i++ {
			prefix := strings.Join(comps[:i], "/")
			it := x.items[prefix]
			if it == nil || it.kind != kindSymlink {
				continue
			}
			if hops >= maxLinkHops {
				return "", &TarballError{Source: x.src, Member: member, Reason: "too many levels of symlinks"}
			}
			np := path.Join(path.Dir(prefix), it.target)
			if path.IsAbs(it.target) || np == ".." || strings.HasPrefix(np, "../") {
				return "", &TarballError{Source: x.src, Member: member,
					Reason: fmt.Sprintf("would land outside the tree through symlink %s -> %s", prefix, it.target)}
			}
			rest := comps[i:]
			comps = rest
			if np != "." {
				comps = append(strings.Split(np, "/"), rest...)
			}
			changed = true
			break
		}
		if !changed {
			return strings.Join(comps, "/"), nil
		}
	}
}

// member writes one member of the tarball.
func (x *tarImport) member(hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		// Metadata of the archive, no file: git archive's (and so
		// GitHub's source tarballs) holds the commit.
		return nil
	}
	p, skip, err := x.memberPath(hdr.Name)
	if err != nil || skip {
		return err
	}
	if p, err = x.resolve(hdr.Name, p); err != nil {
		return err
	}
	if p == "." {
		return nil
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.mkdirs(hdr.Name, p)
	case tar.TypeReg, tar.TypeGNUSparse:
		it := &item{path: p, kind: kindFile}
		if hdr.Mode&0o111 != 0 {
			it.kind = kindExec
		}
		if x.budget >= 0 {
			if hdr.Size > x.budget {
				return &TarballError{Source: x.src, Member: hdr.Name, Reason: "more file contents than the entry's recorded size"}
			}
			x.budget -= hdr.Size
		}
		out, err := x.create(hdr.Name, it)
		if err != nil {
			return err
		}
		err = writeHashed(out, r, it, x.buf, x.sc, x.t, -1)
		if cerr := out.Close(); err == nil && cerr != nil {
			err = &WriteError{Err: cerr}
		}
		var te *TarballError
		var we *WriteError
		if err == nil || errors.As(err, &te) || errors.As(err, &we) {
			// A full disk is no fault of the tarball's.
			return err
		}
		return &TarballError{Source: x.src, Member: hdr.Name, Reason: "corrupt tarball", Err: err}
	case tar.TypeSymlink:
		it := &item{path: p, kind: kindSymlink, target: hdr.Linkname}
		if err := x.replace(hdr.Name, it); err != nil {
			return err
		}
		if err := os.Symlink(hdr.Linkname, filepath.Join(x.dst, p)); err != nil {
			return err
		}
		x.t.files.Add(1)
		if x.sc.active() {
			x.sc.scanString(hdr.Linkname)
		}
		return nil
	case tar.TypeLink:
		return x.hardlink(hdr, p)
	case tar.TypeChar, tar.TypeBlock:
		return &TarballError{Source: x.src, Member: hdr.Name, Reason: "device files are not allowed in an entry"}
	case tar.TypeFifo:
		return &TarballError{Source: x.src, Member: hdr.Name, Reason: "named pipes are not allowed in an entry"}
	}
	return &TarballError{Source: x.src, Member: hdr.Name, Reason: fmt.Sprintf("unsupported member type %q", hdr.Typeflag)}
}

// hardlink makes p a copy of an earlier regular file of the tarball (a hard
// link within the entry).
func (x *tarImport) hardlink(hdr *tar.Header, p string) error {
	tp, skip, err := x.memberPath(hdr.Linkname)
	if err == nil && !skip {
		tp, err = x.resolve(hdr.Linkname, tp)
	}
	if err != nil {
		return &TarballError{Source: x.src, Member: hdr.Name, Reason: fmt.Sprintf("hard link to %s, outside the tree", hdr.Linkname)}
	}
	if tp == p {
		return &TarballError{Source: x.src, Member: hdr.Name, Reason: "hard link to itself"}
	}
	target := x.items[tp]
	if skip || target == nil || (target.kind != kindFile && target.kind != kindExec) {
		return &TarballError{Source: x.src, Member: hdr.Name, Reason: fmt.Sprintf("hard link to %s, not an earlier file of the tarball", hdr.Linkname)}
	}
	it := *target
	it.path = p
	if err := x.replace(hdr.Name, &it); err != nil {
		return err
	}
	if err := os.Link(filepath.Join(x.dst, tp), filepath.Join(x.dst, p)); err != nil {
		return err
	}
	x.t.files.Add(1)
	x.t.bytes.Add(it.size)
	return nil
}

// mkdirs makes the directory p and any missing parents.
func (x *tarImport) mkdirs(member, p string) error {
	if it := x.items[p]; it != nil {
		if it.kind == kindDir {
			return nil
		}
		return &TarballError{Source: x.src, Member: member, Reason: fmt.Sprintf("%s is both a directory and a file", p)}
	}
	if d := path.Dir(p); d != "." {
		if err := x.mkdirs(member, d); err != nil {
			return err
		}
	}
	if err := os.Mkdir(filepath.Join(x.dst, p), 0o755); err != nil {
		return err
	}
	x.record(&item{path: p, kind: kindDir})
	return nil
}

// replace makes way for the non-directory it: its parents exist, and an
// earlier member of the same path is gone (the last one wins, as tar does).
func (x *tarImport) replace(member string, it *item) error {
	if d := path.Dir(it.path); d != "." {
		if err := x.mkdirs(member, d); err != nil {
			return err
		}
	}
	if old := x.items[it.path]; old != nil {
		if old.kind == kindDir {
			return &TarballError{Source: x.src, Member: member, Reason: fmt.Sprintf("%s is both a directory and a file", it.path)}
		}
		if err := os.Remove(filepath.Join(x.dst, it.path)); err != nil {
			return err
		}
	}
	x.record(it)
	return nil
}

// create makes the new file of it, read-only once closed.
func (x *tarImport) create(member string, it *item) (*os.File, error) {
	if err := x.replace(member, it); err != nil {
		return nil, err
	}
	return os.OpenFile(filepath.Join(x.dst, it.path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, os.FileMode(filePerm(it.kind)))
}

func (x *tarImport) record(it *item) {
	if x.items[it.path] == nil {
		x.order = append(x.order, it.path)
	}
	x.items[it.path] = it
}

// prefixDirs are the directories of a prefix: a tarball holding only one of
// them is a prefix itself, not a release tarball to be taken from inside.
var prefixDirs = map[string]bool{
	"bin": true, "sbin": true, "lib": true, "lib64": true, "libexec": true,
	"include": true, "share": true, "etc": true, "man": true,
}

// singleTop returns the one top-level directory holding every member, or ""
// when there is none, or when it is one of prefixDirs.
func (x *tarImport) singleTop() string {
	top := ""
	for p, it := range x.items {
		first, _, nested := strings.Cut(p, "/")
		if !nested && it.kind != kindDir {
			return ""
		}
		if top != "" && first != top {
			return ""
		}
		top = first
	}
	if prefixDirs[top] {
		return ""
	}
	return top
}

// reroot makes the paths of the items relative to top, dropping top.
func (x *tarImport) reroot(top string) {
	items := map[string]*item{}
	order := x.order[:0]
	for _, p := range x.order {
		it := x.items[p]
		rel, ok := strings.CutPrefix(p, top+"/")
		if !ok {
			continue
		}
		it.path = rel
		items[rel] = it
		order = append(order, rel)
	}
	x.items, x.order = items, order
}
