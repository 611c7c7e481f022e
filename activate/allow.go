package activate

import (
	"os"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/store"
)

// Allow records file, with its current content and lock, as trusted.
func Allow(allowDir, file string) error {
	path, rec, err := prompt.Approval(allowDir, file)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(allowDir, 0o700); err != nil {
		return err
	}
	return store.WriteFileAtomic(path, rec, 0o600)
}

// keepTrust records lock, which noxenv itself has just written for the
// project file p (a path from trustPath) in place of was (nil: no lock),
// as approved, when the record approved was: noxenv's own writes of a
// lock keep the trust, and nothing else's do. It returns the record
// written, nil when none was.
func keepTrust(allowDir, p string, was, lock []byte) ([]byte, error) {
	rec, err := prompt.KeptTrust(allowDir, p, was, lock)
	if err != nil || rec == nil {
		return nil, err
	}
	return rec, store.WriteFileAtomic(prompt.RecordOf(allowDir, p), rec, 0o600)
}
