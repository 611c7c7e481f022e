package activate

import (
	"errors"
	"fmt"

	"mvdan.cc/sh/v3/syntax"
)

// PosError is an error at a position of a .noxprofile (or of a file it
// sources): FILE:LINE:COL: message.
type PosError struct {
	File      string
	Line, Col uint
	Err       error
}

func (e *PosError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
}

func (e *PosError) Unwrap() error { return e.Err }

// Hint passes on the hint of the error it wraps, if any.
func (e *PosError) Hint() string {
	var h interface{ Hint() string }
	if errors.As(e.Err, &h) {
		return h.Hint()
	}
	return ""
}

func posError(file string, pos syntax.Pos, err error) *PosError {
	var pe *PosError
	if errors.As(err, &pe) {
		return pe
	}
	e := &PosError{File: file, Err: err}
	if pos.IsValid() {
		e.Line, e.Col = pos.Line(), pos.Col()
	}
	return e
}

// PinMismatchError is a locked entry whose recorded content is not the
// content the lock pins.
type PinMismatchError struct {
	Request     string
	Path        string
	Has, Pinned string
}

func (e *PinMismatchError) Error() string {
	return fmt.Sprintf("entry %s has content %s, the lock pins %s", e.Path, e.Has, e.Pinned)
}

// Hint names the check and the way out.
func (e *PinMismatchError) Hint() string {
	n := requestName(e.Request)
	return fmt.Sprintf("'noxenv store verify %s' checks the entry; 'noxenv lock --update %s' pins what the stores hold now", n, n)
}

// MissingPinError is a locked request whose entry no store holds.
type MissingPinError struct {
	Request string
	ID      string
}

func (e *MissingPinError) Error() string {
	return fmt.Sprintf("%s is locked to entry %s, which is in no store", e.Request, e.ID)
}

// Hint names the remedies.
func (e *MissingPinError) Hint() string {
	return fmt.Sprintf("add entry %s back to a store (or set a cache that has it in the substituters setting, NOXENV_SUBSTITUTERS), or run 'noxenv lock --update %s' to pin what the stores hold now", e.ID, requestName(e.Request))
}

// PinRequestError is a locked request whose pinned entry is another
// package, or a version the request does not take: the project file and
// its lock disagree.
type PinRequestError struct {
	Request string
	ID      string
	// Name and Version are the pinned entry's.
	Name, Version string
}

func (e *PinRequestError) Error() string {
	return fmt.Sprintf("%s is locked to entry %s, which is %s %s, not what it asks for", e.Request, e.ID, e.Name, e.Version)
}

// Hint names the remedy.
func (e *PinRequestError) Hint() string {
	return fmt.Sprintf("run 'noxenv lock --update %s' to pin what the request asks for", requestName(e.Request))
}
