package prompt

import (
	"bytes"
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
