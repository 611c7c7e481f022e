package prompt

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	os.MkdirAll(deep, 0o755)
	os.MkdirAll(filepath.Join(root, "a", "b", FileName), 0o755) // a directory is no .noxprofile
	if got, err := Find(deep, nil); err != nil || got != "" {
		t.Fatalf("no file: %q, %v", got, err)
	}
	want := filepath.Join(root, "a", FileName)
	os.WriteFile(want, nil, 0o644)
	if got, err := Find(deep, nil); err != nil || got != want {
		t.Fatalf("Find = %q, %v, want %q", got, err, want)
	}
}
