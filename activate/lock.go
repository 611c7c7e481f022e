package activate

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/store"
)

// The JSON decoder of locks and the decompressor of states of format 1
// are given to package prompt here: the prompt's front, which links
// package prompt but not this one, links neither encoding/json nor
// compress/flate (a seventh of its size, 4 % of an export's instructions)
// and leaves what needs them to noxenv (prompt.ParseLock,
// prompt.InflateState).
func init() {
	prompt.ParseLock = parseLock
	prompt.InflateState = inflateState
}

// parseLock is prompt.ParseLock.
func parseLock(path string, data []byte) (*prompt.Lock, error) {
	l := prompt.NewLock()
	if data == nil {
		return l, nil
	}
	if err := json.Unmarshal(data, l); err != nil {
		return nil, newBadLockError(path, data, err)
	}
	if l.Version > prompt.LockVersion {
		return nil, fmt.Errorf("%s: format version %d is newer than this noxenv knows (%d)", path, l.Version, prompt.LockVersion)
	}
	if l.Packages == nil {
		l.Packages = map[string]prompt.Pin{}
	}
	for _, req := range slices.Sorted(maps.Keys(l.Packages)) {
		if id := l.Packages[req].ID; !store.IsID(id) {
			return nil, &PosError{File: path, Err: &lockFault{what: fmt.Sprintf("not a lock: %s is pinned to %q, which is not an entry id", req, id)}}
		}
	}
	return l, nil
}

// inflateState is prompt.InflateState.
func inflateState(raw []byte) ([]byte, error) {
	return io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
}

// lockFault is what is wrong with a lock file that is not a lock: what,
// and the decoder's error.
type lockFault struct {
	what string
	err  error
}

func (e *lockFault) Error() string { return e.what }
func (e *lockFault) Unwrap() error { return e.err }

// Hint says how to start the lock again.
func (e *lockFault) Hint() string {
	return "repair it, or delete it and run 'noxenv lock' to pin the requests again"
}

// newBadLockError places err, the decoder's error for data, in the file.
func newBadLockError(path string, data []byte, err error) *PosError {
	fault := &lockFault{what: "not a lock", err: err}
	e := &PosError{File: path, Err: fault}
	var offset int64
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		fault.what, offset = "not valid JSON", syntax.Offset
	case errors.As(err, &typ) && typ.Field == "":
		fault.what, offset = "not a lock: not a JSON object", typ.Offset
	case errors.As(err, &typ):
		fault.what, offset = fmt.Sprintf("not a lock: %s has the wrong type", typ.Field), typ.Offset
	}
	// The decoder's offset is just past the faulty byte.
	if pos := int(offset) - 1; pos >= 0 && pos <= len(data) {
		before := data[:pos]
		e.Line = uint(bytes.Count(before, []byte("\n")) + 1)
		e.Col = uint(pos - bytes.LastIndexByte(before, '\n'))
	}
	return e
}

// marshalLock returns l as written: stable, indented, one pin a line,
// constraints as written (>=1.2, not \u003e=1.2).
func marshalLock(l *prompt.Lock) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(l) // a map of strings always encodes
	return b.Bytes()
}
