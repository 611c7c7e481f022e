package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
)

// tree is what an import built: the items of the tree, the entries its
// contents refer to, and how far it got.
type tree struct {
	items []*item
	refs  map[string]bool
	files atomic.Int64
	bytes atomic.Int64
}

func (t *tree) progress() Progress {
	return Progress{Files: int(t.files.Load()), Bytes: t.bytes.Load()}
}

// copyBufSize is the size of each copier's buffer.
const copyBufSize = 256 << 10

// filePerm is the mode of a file once it is in an entry: read-only.
func filePerm(kind byte) fs.FileMode {
	if kind == kindExec {
		return 0o555
	}
	return 0o444
}

// copyJob is one regular file for the copiers.
type copyJob struct {
	src, dst string
	it       *item
}

// copyDir copies the directory src into dst (which exists), hashing and
// scanning each file while it is copied, many files at once. Directories
// are left writable; the caller seals the tree.
func copyDir(ctx context.Context, src, dst string, known map[string]string, t *tree) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan copyJob, 256)
	var wg sync.WaitGroup
	workers := max(4, 2*runtime.NumCPU())
	scanners := make([]*refScanner, workers)
	for w := range workers {
		sc := newRefScanner(known)
		scanners[w] = sc
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, copyBufSize)
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				if err := copyFile(j.src, j.dst, j.it, buf, sc, t); err != nil {
					cancel(err)
				}
			}
		}()
	}
	linkScanner := newRefScanner(known)
	scanners = append(scanners, linkScanner)
	walkErr := walkCopy(ctx, src, dst, "", jobs, t, linkScanner)
	close(jobs)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if walkErr != nil {
		return walkErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, sc := range scanners {
		for id := range sc.found {
			t.refs[id] = true
		}
	}
	return nil
}

// walkCopy makes the directories and symlinks of src/rel under dst and
// hands its files to the copiers; sc scans symlink targets.
func walkCopy(ctx context.Context, src, dst, rel string, jobs chan<- copyJob, t *tree, sc *refScanner) error {
	des, err := os.ReadDir(filepath.Join(src, rel))
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Join(src, rel), err)
	}
	for _, de := range des {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := de.Name()
		if rel != "" {
			r = rel + "/" + de.Name()
		}
		s, d := filepath.Join(src, r), filepath.Join(dst, r)
		switch typ := de.Type(); {
		case typ.IsDir():
			if err := os.Mkdir(d, 0o755); err != nil {
				return err
			}
			t.items = append(t.items, &item{path: r, kind: kindDir})
			if err := walkCopy(ctx, src, dst, r, jobs, t, sc); err != nil {
				return err
			}
		case typ&fs.ModeSymlink != 0:
			target, err := os.Readlink(s)
			if err != nil {
				return fmt.Errorf("read %s: %w", s, err)
			}
			if err := os.Symlink(target, d); err != nil {
				return err
			}
			t.items = append(t.items, &item{path: r, kind: kindSymlink, target: target})
			if sc.active() {
				sc.scanString(target)
			}
			t.files.Add(1)
		case typ.IsRegular():
			fi, err := de.Info()
			if err != nil {
				return fmt.Errorf("read %s: %w", s, err)
			}
			it := &item{path: r, kind: kindFile}
			if fi.Mode()&0o111 != 0 {
				it.kind = kindExec
			}
			t.items = append(t.items, it)
			select {
			case jobs <- copyJob{s, d, it}:
			case <-ctx.Done():
				return ctx.Err()
			}
		default:
			return fmt.Errorf("%s: %s not supported in an entry", s, fileTypeName(typ))
		}
	}
	return nil
}

// fileTypeName names a type of file an entry cannot hold.
func fileTypeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "file type " + m.Type().String()
}

// copyFile copies src to the new file dst, read-only, recording its digest
// and size in it and scanning it for references.
func copyFile(src, dst string, it *item, buf []byte, sc *refScanner, t *tree) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("read %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm(it.kind))
	if err != nil {
		return err
	}
	if err := writeHashed(out, in, it, buf, sc, t); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}

// writeHashed copies r to w, hashing and scanning what passes into it.
func writeHashed(w io.Writer, r io.Reader, it *item, buf []byte, sc *refScanner, t *tree) error {
	h := sha256.New()
	scan := sc.active()
	if scan {
		sc.reset()
	}
	for {
		n, err := r.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			if scan {
				sc.Write(buf[:n])
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			it.size += int64(n)
			t.bytes.Add(int64(n))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	h.Sum(it.digest[:0])
	t.files.Add(1)
	return nil
}

// seal makes the directories of the tree at root read-only, deepest first,
// root last. Files are created read-only already.
func seal(root string, items []*item) error {
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].kind == kindDir {
			if err := os.Chmod(filepath.Join(root, items[i].path), 0o555); err != nil {
				return err
			}
		}
	}
	return os.Chmod(root, 0o555)
}

// removeTree removes a tree noxenv built, read-only directories included.
func removeTree(dir string) error {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}
