package prompt

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFingerprintKinds checks what a fingerprint tells apart, and that the
// prompt's comparison agrees with the fingerprint the cache records.
func TestFingerprintKinds(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "l")
	if err := os.Symlink("f", link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "d")
	if err := os.Symlink("missing", dangling); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		dir:                          "m40",
		file:                         "m100644 ",
		link:                         "link:" + file + " m100644 ",
		dangling:                     "dangling",
		fifo:                         "m10600 special",
		filepath.Join(dir, "absent"): "absent",
	}
	for p, prefix := range want {
		fp := Fingerprint(p)
		if !strings.HasPrefix(fp, prefix) {
			t.Errorf("%s: fingerprint %q, want it to start %q", p, fp, prefix)
		}
		if !sameFingerprint(p, nil, fp) {
			t.Errorf("%s: %q is not the same as itself", p, fp)
		}
	}
	if fp := Fingerprint(dir); !strings.HasSuffix(fp, " dir") {
		t.Errorf("directory: %q", fp)
	}

	// A regular file: its time, its content and its mode each count.
	fp := Fingerprint(file)
	if !strings.Contains(fp, " fnv64a:") {
		t.Errorf("regular file: %q holds no content hash", fp)
	}
	if FingerprintAs(file, []byte("one\n")) != fp {
		t.Errorf("the content given is not the content read: %q, %q", FingerprintAs(file, []byte("one\n")), fp)
	}
	if sameFingerprint(file, []byte("two\n"), fp) {
		t.Error("other content, same fingerprint")
	}
	older := time.Now().Add(-time.Hour)
	if err := os.Chtimes(file, older, older); err != nil {
		t.Fatal(err)
	}
	if sameFingerprint(file, nil, fp) {
		t.Error("a file set an hour back keeps its fingerprint")
	}
	fp = Fingerprint(file)
	if err := os.Chmod(file, 0o755); err != nil {
		t.Fatal(err)
	}
	if sameFingerprint(file, nil, fp) {
		t.Error("a file made executable keeps its fingerprint")
	}
}

// TestSameFingerprintAllocates checks that comparing a store entry's
// fingerprint, which the prompt does for every package, allocates nothing
// but the path's copy for the system call.
func TestSameFingerprintAllocates(t *testing.T) {
	dir := t.TempDir()
	fp := Fingerprint(dir)
	if n := testing.AllocsPerRun(100, func() {
		if !sameFingerprint(dir, nil, fp) {
			t.Fatal("changed")
		}
	}); n > 1 {
		t.Errorf("%v allocations a comparison", n)
	}
}
