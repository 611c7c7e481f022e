package activate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/activate/prompt"
)

func TestReadLock(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, prompt.LockName)
	l, err := prompt.ReadLock(p)
	if err != nil || len(l.Packages) != 0 || l.Version != prompt.LockVersion {
		t.Fatalf("missing lock: %+v, %v", l, err)
	}
	l.Packages["tool@1"] = prompt.Pin{ID: "x-tool-1.0", Hash: "sha256:00"}
	if err := os.WriteFile(p, marshalLock(l), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := prompt.ReadLock(p)
	if err != nil || back.Packages["tool@1"] != l.Packages["tool@1"] {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for name, content := range map[string]string{
		"newer":   `{"version": 99, "packages": {}}`,
		"garbage": `{"version": `,
	} {
		os.WriteFile(p, []byte(content), 0o644)
		if _, err := prompt.ReadLock(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v, want one naming the file", name, err)
		}
	}
}
