package plainfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// ReadFile reads what os.ReadFile reads, and fails alike.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"empty": {},
		"small": []byte("use hello\n"),
		"large": bytes.Repeat([]byte("0123456789abcdef"), 70000),
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(p)
		if err != nil || !bytes.Equal(got, content) || got == nil {
			t.Errorf("%s: read %d bytes (nil %v), %v; want %d", name, len(got), got == nil, err, len(content))
		}
	}
	// /proc files say they are empty and are not.
	if got, err := ReadFile("/proc/self/cmdline"); err != nil || len(got) == 0 {
		t.Errorf("/proc/self/cmdline: %q, %v", got, err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	var pe *fs.PathError
	if _, err := ReadFile(dir); !errors.As(err, &pe) || pe.Path != dir {
		t.Errorf("directory: %v", err)
	}
}
