package prompt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/noxenv/noxenv/internal/plainfile"
)

// A trust record covers a project file and its lock, which decides the
// programs the project puts on PATH. It holds three parts:
//
//	sha256:HASH PATH               the file's content hash and its path
//	                               (a newline in it written \n)
//	lock sha256:HASH | lock none   its lock's content hash, or no lock
//	...                            the lock's content, as approved
//
// The approved lock is kept whole so that a changed lock can be reported
// pin by pin. A record of the earlier format, without its lock line,
// approved no lock. A file sourced by another is checked against the first
// line only: the lock used is its project's.

// BlockedError is returned for a file the user has not allowed, or whose
// content changed since, or that moved, or whose lock changed since it
// was allowed. Nothing of such a file is run.
type BlockedError struct {
	Path string
	// Sourced is set for a file that source_env or source_up named.
	Sourced bool
	// Allowed: a record exists, for other content (FileChanged) or another
	// lock (LockChanged).
	Allowed, FileChanged, LockChanged bool
	// Pins are the pins of the lock that differ from the approved lock's
	// (Old "" for a request the approved lock did not pin, New "" for one
	// the lock no longer pins), when the lock changed; BadLock says why
	// the pins could not be compared.
	Pins    []PinChange
	BadLock error
}

func (e *BlockedError) Error() string {
	if e.LockChanged && !e.FileChanged {
		return fmt.Sprintf("%s is blocked: its lock %s changed (%s). Run 'noxenv allow' to approve the new lock",
			e.Path, LockName, e.lockChanges())
	}
	return fmt.Sprintf("%s is blocked. Run 'noxenv allow' to approve its content", e.Path)
}

// lockChanges says what 'noxenv allow' would approve of the lock.
func (e *BlockedError) lockChanges() string {
	if e.BadLock != nil {
		return e.BadLock.Error()
	}
	if len(e.Pins) == 0 {
		return "no pin changed"
	}
	return strings.Join(e.PinLines(), ", ")
}

// PinLines says, one request a line, how the lock's pins differ from the
// approved lock's: "NAME: OLD -> NEW", none for a pin added or removed.
func (e *BlockedError) PinLines() []string {
	if e.BadLock != nil {
		return []string{e.BadLock.Error()}
	}
	var lines []string
	for _, c := range e.Pins {
		if c.Old == c.New {
			lines = append(lines, fmt.Sprintf("%s: %s content %s -> %s", c.Request, c.Old, orNone(c.OldHash), orNone(c.NewHash)))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: %s -> %s", c.Request, orNone(c.Old), orNone(c.New)))
	}
	return lines
}

func orNone(id string) string {
	if id == "" {
		return "none"
	}
	return id
}

// Reason says in a few words why the file is blocked.
func (e *BlockedError) Reason() string {
	switch {
	case !e.Allowed:
		return "not allowed"
	case e.FileChanged && e.LockChanged:
		return "file and lock changed"
	case e.FileChanged:
		return "file changed"
	}
	return "lock changed"
}

// Hint names the file to allow when it is not the project's own, which
// 'noxenv allow' alone would allow.
func (e *BlockedError) Hint() string {
	if !e.Sourced {
		return ""
	}
	return fmt.Sprintf("a sourced file must be allowed too: run 'noxenv allow %s' once you have checked it", e.Path)
}

// TrustPath returns the path a trust record is keyed on: file made
// absolute, with the symbolic links of its directory resolved, so that
// the same file reached through a linked directory stays trusted while a
// copy or a move of it does not.
func TrustPath(file string) (string, error) {
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
	p, err := TrustPath(file)
	if err != nil {
		return "", err
	}
	return RecordOf(allowDir, p), nil
}

// RecordOf is the trust record of p, a path from trustPath.
func RecordOf(allowDir, p string) string {
	sum := sha256.Sum256([]byte(p))
	return filepath.Join(allowDir, hex.EncodeToString(sum[:]))
}

// trustLine is a record's first line: the content hash, then the path,
// one line whatever the path holds. (The record's name is the path's
// hash: two paths written alike never share a record.)
func trustLine(path string, content []byte) []byte {
	sum := sha256.Sum256(content)
	return fmt.Appendf(nil, "sha256:%s %s\n", hex.EncodeToString(sum[:]), strings.ReplaceAll(path, "\n", `\n`))
}

// lockLine is a record's second line, for the lock content lock (nil: no
// lock).
func lockLine(lock []byte) []byte {
	if lock == nil {
		return []byte("lock none\n")
	}
	sum := sha256.Sum256(lock)
	return fmt.Appendf(nil, "lock sha256:%s\n", hex.EncodeToString(sum[:]))
}

// record is what a record approving content and lock holds.
func record(p string, content, lock []byte) []byte {
	return append(append(trustLine(p, content), lockLine(lock)...), lock...)
}

// readOptional returns the content of path, nil when it does not exist.
func readOptional(path string) ([]byte, error) {
	data, err := plainfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
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

// CheckTrust returns why the project file file is blocked, or nil when it
// is allowed with its current content and lock.
func CheckTrust(allowDir, file string) (*BlockedError, error) {
	p, err := TrustPath(file)
	if err != nil {
		return nil, err
	}
	_, _, _, err = readTrustedProject(allowDir, p)
	var blocked *BlockedError
	if errors.As(err, &blocked) {
		return blocked, nil
	}
	return nil, err
}

// ReadTrusted returns the content of p, a path from trustPath, when it is
// trusted, and a *BlockedError otherwise; its lock is not looked at (p is
// a sourced file). The content returned is the content checked: the
// caller evaluates exactly that, never a later read of the file.
func ReadTrusted(allowDir, p string) ([]byte, error) {
	content, rec, err := readWithRecord(allowDir, p)
	if err != nil {
		return nil, err
	}
	if blocked := checkFile(p, content, rec); blocked != nil {
		return nil, blocked
	}
	return content, nil
}

// readTrustedProject returns the content of the project file p, a path
// from trustPath, and of its lock (nil: none) when both are trusted, with
// the trust record that approves them, and a *BlockedError otherwise. As
// with readTrusted, the caller uses exactly the content returned.
func readTrustedProject(allowDir, p string) (content, lock, rec []byte, err error) {
	content, rec, err = readWithRecord(allowDir, p)
	if err != nil {
		return nil, nil, nil, err
	}
	if lock, err = readOptional(LockPath(p)); err != nil {
		return nil, nil, nil, err
	}
	blocked := checkFile(p, content, rec)
	if rec == nil {
		return nil, nil, nil, blocked
	}
	if line, approved := approvedLock(rec); !lockApproved(line, approved, lock) {
		if blocked == nil {
			blocked = &BlockedError{Path: p, Allowed: true}
		}
		blocked.LockChanged = true
		blocked.Pins, blocked.BadLock = lockPinChanges(LockPath(p), approved, lock)
	}
	if blocked != nil {
		return nil, nil, nil, blocked
	}
	return content, lock, rec, nil
}

// readWithRecord returns the content of p and its trust record (nil: none).
func readWithRecord(allowDir, p string) (content, rec []byte, err error) {
	if content, err = plainfile.ReadFile(p); err != nil {
		return nil, nil, err
	}
	if rec, err = readOptional(RecordOf(allowDir, p)); err != nil {
		return nil, nil, err
	}
	return content, rec, nil
}

// checkFile returns why p, with content, is blocked by its record rec
// (nil: none), or nil.
func checkFile(p string, content, rec []byte) *BlockedError {
	if rec == nil {
		return &BlockedError{Path: p}
	}
	if !bytes.Equal(firstLine(rec), trustLine(p, content)) {
		return &BlockedError{Path: p, Allowed: true, FileChanged: true}
	}
	return nil
}

// approvedLock returns the lock line of the record rec and the lock it
// approved (nil: none).
func approvedLock(rec []byte) (line, lock []byte) {
	rest := rec[len(firstLine(rec)):]
	if len(rest) == 0 {
		return lockLine(nil), nil // the earlier format approved no lock
	}
	line = firstLine(rest)
	if bytes.Equal(line, lockLine(nil)) {
		return line, nil
	}
	return line, rest[len(line):]
}

// lockApproved says whether a record's lock line and the lock it approved
// (see approvedLock) approve lock: the lock the record holds after the
// line, compared byte for byte, is what it approves (the line's hash was
// computed from it when the record was written), so that the prompt
// hashes no lock.
func lockApproved(line, approved, lock []byte) bool {
	if lock == nil || approved == nil {
		return lock == nil && approved == nil && bytes.Equal(line, lockLine(nil))
	}
	return bytes.Equal(approved, lock) && bytes.HasPrefix(line, []byte("lock sha256:"))
}

// firstLine returns rec's first line with its newline.
func firstLine(rec []byte) []byte {
	if i := bytes.IndexByte(rec, '\n'); i >= 0 {
		return rec[:i+1]
	}
	return rec
}

// Approval returns the trust record that approves file with its current
// content and lock, and the path it is kept at under allowDir.
func Approval(allowDir, file string) (path string, rec []byte, err error) {
	p, err := TrustPath(file)
	if err != nil {
		return "", nil, err
	}
	content, err := plainfile.ReadFile(p)
	if err != nil {
		return "", nil, err
	}
	lock, err := readOptional(LockPath(p))
	if err != nil {
		return "", nil, err
	}
	return RecordOf(allowDir, p), record(p, content, lock), nil
}

// KeptTrust returns the trust record that approves lock, which noxenv
// itself has just written for the project file p (a path from trustPath)
// in place of was (nil: no lock), when p's record approved was: noxenv's
// own writes of a lock keep the trust, and nothing else's do. It returns
// nil when the record is to stay as it is.
func KeptTrust(allowDir, p string, was, lock []byte) ([]byte, error) {
	rec, err := readOptional(RecordOf(allowDir, p))
	if err != nil || rec == nil {
		return nil, err
	}
	if line, approved := approvedLock(rec); !lockApproved(line, approved, was) {
		return nil, nil
	}
	first := firstLine(rec)
	return append(append(first[:len(first):len(first)], lockLine(lock)...), lock...), nil
}
