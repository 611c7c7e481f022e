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
		// Any record approves at most the lock it holds.
		if line, approved := approvedLock(rec); lockApproved(line, approved, lock) && (!bytes.Equal(lock, approved) || (lock == nil) != (approved == nil)) {
			t.Errorf("record %q approves lock %q, holding %q", rec, lock, approved)
		}
		if !hasLock {
			lock = nil
		} else if lock == nil {
			lock = []byte{}
		}
		line, approved := approvedLock(record("/p/.noxprofile", content, lock))
		if !bytes.Equal(line, lockLine(lock)) || !bytes.Equal(approved, lock) || (approved == nil) != (lock == nil) {
			t.Errorf("record of lock %q approves %q (%q)", lock, approved, line)
		}
		if !lockApproved(line, approved, lock) {
			t.Errorf("record of lock %q does not approve it", lock)
		}
		// Any other lock, or none, is not approved.
		for _, other := range [][]byte{append(bytes.Clone(lock), 'x'), nil, lock[:len(lock)/2]} {
			if !bytes.Equal(other, lock) || (other == nil) != (lock == nil) {
				if lockApproved(line, approved, other) {
					t.Errorf("record of lock %q approves %q", lock, other)
				}
			}
		}
		// A record is what it holds: one whose line names another lock
		// approves the lock it holds, not the other.
		if lock != nil {
			other := append(bytes.Clone(lock), 'y')
			line, approved := approvedLock(append(append(trustLine("/p", content), lockLine(other)...), lock...))
			if !lockApproved(line, approved, lock) || lockApproved(line, approved, other) {
				t.Errorf("record naming %q and holding %q approves the wrong one", other, lock)
			}
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
