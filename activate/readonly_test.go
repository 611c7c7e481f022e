package activate

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/store"
)

// TestLockReadOnlyDirectory: a project the user cannot write gets its
// packages with no lock file, and a warning. (Root writes anywhere: the
// test needs another user.)
func TestLockReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write any directory")
	}
	dir, cfg := project(t, map[string]string{prompt.FileName: "use tool\n", "src/tool-1.0/bin/tool": "#!/bin/sh\n"})
	cfg.Stores = storeOf(t, filepath.Join(dir, "src", "tool-1.0"))
	file := allowed(t, cfg, dir)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	var stderr bytes.Buffer
	cfg.Stderr = &stderr
	res, err := Evaluate(context.Background(), cfg, file, map[string]string{"PATH": "/usr/bin"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Env["PATH"], "/generations/") {
		t.Errorf("PATH = %q, want the packages", res.Env["PATH"])
	}
	if _, err := os.Stat(filepath.Join(dir, prompt.LockName)); err == nil {
		t.Error("a lock file was written")
	}
	if !strings.Contains(stderr.String(), "is not writable: packages stay unlocked") {
		t.Errorf("stderr = %q, want a warning", stderr.String())
	}
}

// storeOf returns a search path of one new store, beside the project
// directory of the sources, holding them.
func storeOf(t *testing.T, srcs ...string) *store.SearchPath {
	t.Helper()
	dir := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(srcs[0]))), "store")
	sp, err := store.Open([]string{dir}, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Entries are read-only: make them removable again for TempDir.
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	st, err := sp.WritableStore("")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		if _, _, err := sp.Add(context.Background(), st, src, store.AddOptions{Strip: -1}); err != nil {
			t.Fatal(err)
		}
	}
	return sp
}
