package activate

import (
	"context"
	_ "embed"
	"errors"
	"fmt"

	"mvdan.cc/sh/v3/interp"
)

// layoutSource defines direnv_layout_dir and direnv's layouts as shell
// functions of the standard library (see stdlibSource).
//
//go:embed stdlib_layout.sh
var layoutSource string

// needsProgramError is a function of the standard library that runs a
// program the machine lacks.
type needsProgramError struct{ call, program string }

func (e *needsProgramError) Error() string {
	return fmt.Sprintf("%s needs %s, which is not on PATH", e.call, e.program)
}

// Hint says where the program may come from.
func (e *needsProgramError) Hint() string {
	return fmt.Sprintf("install %s, or put it in noxenv's stores and name it with use before the %s line", e.program, e.call)
}

// needsProgram is __noxenv_needs CALL PROGRAM: the failure of CALL for
// want of PROGRAM.
func needsProgram(_ *evaluator, _ context.Context, _ interp.HandlerContext, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: __noxenv_needs CALL PROGRAM")
	}
	return &needsProgramError{call: args[0], program: args[1]}
}

// hintedError is a failure of the standard library's shell functions,
// with what to do about it.
type hintedError struct{ msg, hint string }

func (e *hintedError) Error() string { return e.msg }
func (e *hintedError) Hint() string  { return e.hint }

// fail is __noxenv_fail MESSAGE [HINT].
func fail(_ *evaluator, _ context.Context, _ interp.HandlerContext, args []string) error {
	switch len(args) {
	case 1:
		return errors.New(args[0])
	case 2:
		return &hintedError{args[0], args[1]}
	}
	return errors.New("usage: __noxenv_fail MESSAGE [HINT]")
}
