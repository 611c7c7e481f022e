package prompt

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Any record parses without a panic; a record written approves exactly
// its lock.
func FuzzTrustRecord(f *testing.F) {
	f.Add([]byte("sha256:00 /p/.noxprofile\n"), []byte("export A=1\n"), []byte(`{"version": 1, "packages": {"jq": {"id": "jjjj-jq-1.6"}}}`), true)
	f.Add([]byte("junk"), []byte(""), []byte(""), false)
	f.Fuzz(func(t *testing.T, rec, content, lock []byte, hasLock bool) {
		approvedLock(rec)
		if !hasLock {
			lock = nil
		} else if lock == nil {
			lock = []byte{}
		}
		line, approved := approvedLock(record("/p/.noxprofile", content, lock))
		if !bytes.Equal(line, lockLine(lock)) || !bytes.Equal(approved, lock) || (approved == nil) != (lock == nil) {
			t.Errorf("record of lock %q approves %q (%q)", lock, approved, line)
		}
	})
}

// A project whose path holds a newline can be allowed: its record's
// first line stays one line.
func TestTrustPathWithNewline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new\nline")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, FileName)
	for _, f := range []string{file, LockPath(file)} {
		if err := os.WriteFile(f, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	allowDir := t.TempDir()
	path, rec, err := Approval(allowDir, file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, rec, 0o600); err != nil {
		t.Fatal(err)
	}
	if blocked, err := CheckTrust(allowDir, file); err != nil || blocked != nil {
		t.Fatalf("CheckTrust of an allowed file = %v, %v; record:\n%s", blocked, err, rec)
	}
}
