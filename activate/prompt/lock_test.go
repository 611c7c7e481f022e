package prompt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadLock(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, LockName)
	l, err := ReadLock(p)
	if err != nil || len(l.Packages) != 0 || l.Version != lockVersion {
		t.Fatalf("missing lock: %+v, %v", l, err)
	}
	l.Packages["tool@1"] = Pin{ID: "x-tool-1.0", Hash: "sha256:00"}
	if err := os.WriteFile(p, l.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLock(p)
	if err != nil || back.Packages["tool@1"] != l.Packages["tool@1"] {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for name, content := range map[string]string{
		"newer":   `{"version": 99, "packages": {}}`,
		"garbage": `{"version": `,
	} {
		os.WriteFile(p, []byte(content), 0o644)
		if _, err := ReadLock(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v, want one naming the file", name, err)
		}
	}
}

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
