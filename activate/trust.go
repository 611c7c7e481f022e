package activate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/noxenv/noxenv/store"
)

// BlockedError is returned for a file the user has not allowed, or whose
// content changed since, or that moved. Nothing of such a file is run.
type BlockedError struct {
	Path string
	// Sourced is set for a file that source_env or source_up named.
	Sourced bool
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("%s is blocked. Run 'noxenv allow' to approve its content", e.Path)
}

// Hint names the file to allow when it is not the project's own, which
// 'noxenv allow' alone would allow.
func (e *BlockedError) Hint() string {
	if !e.Sourced {
		return ""
	}
	return fmt.Sprintf("a sourced file must be allowed too: run 'noxenv allow %s' once you have checked it", e.Path)
}

// trustPath returns the path a trust record is keyed on: file made
// absolute, with the symbolic links of its directory resolved, so that
// the same file reached through a linked directory stays trusted while a
// copy or a move of it does not.
func trustPath(file string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// TrustRecord returns the file under allowDir that records whether file is
// allowed: it appears, changes or vanishes when the trust in file does.
func TrustRecord(allowDir, file string) (string, error) {
	p, err := trustPath(file)
	if err != nil {
		return "", err
	}
	return recordOf(allowDir, p), nil
}

// recordOf is the trust record of p, a path from trustPath.
func recordOf(allowDir, p string) string {
	sum := sha256.Sum256([]byte(p))
	return filepath.Join(allowDir, hex.EncodeToString(sum[:]))
}

// trustLine is what a record holds: the content hash, then the path.
func trustLine(path string, content []byte) []byte {
	sum := sha256.Sum256(content)
	return fmt.Appendf(nil, "sha256:%s %s\n", hex.EncodeToString(sum[:]), path)
}

// Allow records file, with its current content, as trusted.
func Allow(allowDir, file string) error {
	p, err := trustPath(file)
	if err != nil {
		return err
	}
	content, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	rec := recordOf(allowDir, p)
	if err := os.MkdirAll(allowDir, 0o700); err != nil {
		return err
	}
	return store.WriteFileAtomic(rec, trustLine(p, content), 0o600)
}

// Deny revokes any trust in file. Denying a file that is not allowed is
// not an error.
func Deny(allowDir, file string) error {
	rec, err := TrustRecord(allowDir, file)
	if err != nil {
		return err
	}
	if err := os.Remove(rec); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Trusted reports whether file is allowed with its current content.
func Trusted(allowDir, file string) (bool, error) {
	p, err := trustPath(file)
	if err != nil {
		return false, err
	}
	_, err = readTrusted(allowDir, p)
	var blocked *BlockedError
	if errors.As(err, &blocked) {
		return false, nil
	}
	return err == nil, err
}

// readTrusted returns the content of p, a path from trustPath, when it is
// trusted, and a *BlockedError otherwise. The content returned is the
// content checked: the caller evaluates exactly that, never a later read
// of the file.
func readTrusted(allowDir, p string) ([]byte, error) {
	content, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	want, err := os.ReadFile(recordOf(allowDir, p))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil || !bytes.Equal(want, trustLine(p, content)) {
		return nil, &BlockedError{Path: p}
	}
	return content, nil
}
