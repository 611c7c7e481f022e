package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/internal/storetest"
	"github.com/noxenv/noxenv/internal/testutil"
	"github.com/noxenv/noxenv/store"
)

// testEntry makes an entry by hand in storeDir: files maps a path to its
// content, or to "-> TARGET" for a symlink.
func testEntry(t testing.TB, storeDir, name, version string, files map[string]string, refs ...*store.Entry) *store.Entry {
	t.Helper()
	h := sha256.New()
	h.Write([]byte(name + "\x00" + version))
	for p, c := range files {
		h.Write([]byte(p + "\x00" + c + "\x00"))
	}
	id := strings.NewReplacer("e", "z", "t", "y", "o", "p", "u", "v").Replace(hex.EncodeToString(h.Sum(nil))[:32]) + "-" + name + "-" + version
	path := filepath.Join(storeDir, id)
	testutil.WriteFiles(t, path, files)
	info := &store.Info{Name: name, Version: version}
	for _, r := range refs {
		info.References = append(info.References, r.ID)
	}
	return &store.Entry{ID: id, Name: name, Version: version, Path: path, Info: info}
}

// newStore makes a managed store and the search path holding it.
func newStore(t testing.TB) *store.SearchPath {
	t.Helper()
	return storetest.New(t, filepath.Join(t.TempDir(), "store"))
}

// addEntry adds the package made of files to the store of sp, as store add
// does: read-only, with its listing.
func addEntry(t testing.TB, sp *store.SearchPath, name, version string, files map[string]string) *store.Entry {
	t.Helper()
	return storetest.Add(t, sp, name+"-"+version, files, store.AddOptions{})
}

func member(e *store.Entry, priority int) Member {
	return Member{Name: e.Name, Version: e.Version, Request: e.Name, ID: e.ID, Priority: priority, Entry: e}
}

// tree describes the generation at dir: each path relative to it, "/" for
// a real directory, "-> TARGET" for a symlink; the manifest left out.
func tree(t testing.TB, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case rel == ManifestFile:
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			got[rel] = "-> " + target
		case d.IsDir():
			got[rel] = "/"
		default:
			got[rel] = "file"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
