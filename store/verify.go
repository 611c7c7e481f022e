package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// MismatchError says that an entry's content or metadata no longer matches
// its id.
type MismatchError struct {
	Entry *Entry
	Want  string // recorded
	Got   string // recomputed
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("entry %s of store %s was altered: content hash %s, recorded %s", e.Entry.ID, e.Entry.Store.Dir, e.Got, e.Want)
}

// Verify recomputes the content hash of e and checks it and the id against
// the metadata; it returns a *MismatchError when they differ. Plain entries
// have nothing to check.
func Verify(ctx context.Context, e *Entry) error {
	if e.Plain() {
		return nil
	}
	items, err := hashTree(ctx, e.Path)
	if err != nil {
		return fmt.Errorf("verify %s: %w", e.ID, err)
	}
	got := formatHash(treeHash(items))
	if got != e.Info.Hash {
		return &MismatchError{Entry: e, Want: e.Info.Hash, Got: got}
	}
	if id := entryID(e.Info); id != e.ID {
		return fmt.Errorf("entry %s of store %s: its metadata does not match its id (%s)", e.ID, e.Store.Dir, id)
	}
	return nil
}

// hashTree hashes the tree at root, many files at once.
func hashTree(ctx context.Context, root string) ([]*item, error) {
	var items []*item
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		it := &item{path: filepath.ToSlash(rel)}
		switch typ := d.Type(); {
		case typ.IsDir():
			it.kind = kindDir
		case typ&os.ModeSymlink != 0:
			it.kind = kindSymlink
			if it.target, err = os.Readlink(p); err != nil {
				return err
			}
		case typ.IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			it.kind = kindFile
			if fi.Mode()&0o111 != 0 {
				it.kind = kindExec
			}
		default:
			return fmt.Errorf("%s: %s not supported in an entry", p, fileTypeName(typ))
		}
		items = append(items, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	jobs := make(chan *item)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range max(2, runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, copyBufSize)
			t := &tree{}
			for it := range jobs {
				if err := hashFile(filepath.Join(root, it.path), it, buf, t); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, it := range items {
		if it.kind == kindFile || it.kind == kindExec {
			if ctx.Err() != nil {
				break
			}
			jobs <- it
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	return items, ctx.Err()
}

func hashFile(path string, it *item, buf []byte, t *tree) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeHashed(io.Discard, f, it, buf, nil, t)
}
