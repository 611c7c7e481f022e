package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteFiles makes the directory dir holding files: a path maps to its
// content, or to "-> TARGET" for a symlink; a content starting with #! is
// an executable file.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for p, c := range files {
		f := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(c, "-> "); ok {
			err = os.Symlink(target, f)
		} else if strings.HasPrefix(c, "#!") {
			err = os.WriteFile(f, []byte(c), 0o755)
		} else {
			err = os.WriteFile(f, []byte(c), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
