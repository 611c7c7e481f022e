package activate

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// unsupportedBuiltins are bash builtins the interpreter does not run as
// bash does (most it does not run at all).
var unsupportedBuiltins = map[string]bool{
	"bg": true, "bind": true, "caller": true, "compgen": true, "complete": true,
	"compopt": true, "dirs": true, "disown": true, "enable": true, "fc": true,
	"fg": true, "help": true, "history": true, "jobs": true, "kill": true, "logout": true,
	"newgrp": true, "suspend": true, "times": true, "ulimit": true, "umask": true,
}

// setFlags are the one-letter options of set the interpreter supports,
// and setOptions its -o names.
const setFlags = "aefnux"

var setOptions = map[string]bool{
	"allexport": true, "errexit": true, "noexec": true, "noglob": true,
	"nounset": true, "xtrace": true, "pipefail": true,
}

// shoptOptions are the shopt options whose state the interpreter can
// change.
var shoptOptions = map[string]bool{
	"dotglob": true, "expand_aliases": true, "extglob": true, "globstar": true,
	"nocaseglob": true, "nullglob": true,
}

// checkCall checks a simple command as it is called, with its arguments
// expanded: it returns the command to run in its place (what the
// interpreter would run differently, rewritten into what it runs as bash
// does), or an error naming what it cannot run. The interpreter stops for
// the error, but for one in $(...), where it prints it and goes on: the
// first error is kept, and refuses every later command and the
// evaluation's result.
func (e *evaluator) checkCall(ctx context.Context, hc interp.HandlerContext, args []string) (out []string, err error) {
	// read waits for its input, whose writer (cmd | read) takes the lock:
	// it reads without it.
	reads := args[0] == "read"
	serr := e.serial(ctx, func(context.Context) error {
		if err = e.refused; err == nil && !reads {
			out, err = e.construct(hc, args)
			err = e.keepRefusal(hc, err)
		}
		return nil
	})
	if serr == nil && reads && err == nil {
		if out, err = e.construct(hc, args); err != nil {
			serr = e.serial(ctx, func(context.Context) error { err = e.keepRefusal(hc, err); return nil })
		}
	}
	if serr != nil {
		// The evaluation ended waiting for the lock.
		return nil, serr
	}
	return out, err
}

// keepRefusal names the position of err, a refusal, and keeps the first.
func (e *evaluator) keepRefusal(hc interp.HandlerContext, err error) error {
	if err == nil {
		return nil
	}
	err = posError(e.current(), e.filePos(e.current(), hc.Pos), err)
	if e.refused == nil {
		e.refused = err
		e.out.refused(err)
	}
	return err
}

// refuseCommand is the command arithmetic calls, from checkConstructs's
// rewriting, where it meets a value bash would read otherwise: its
// arguments are the file, line, column, construct and reason.
const refuseCommand = "__noxenv_refuse"

// construct is checkCall's check of one command.
func (e *evaluator) construct(hc interp.HandlerContext, args []string) ([]string, error) {
	name := args[0]
	if name == refuseCommand && len(args) == 6 {
		if args[1] == "" {
			// eval's code: the position is the command's.
			return nil, &constructError{construct: args[4], why: args[5]}
		}
		line, _ := strconv.ParseUint(args[2], 10, 32)
		col, _ := strconv.ParseUint(args[3], 10, 32)
		return nil, &PosError{File: args[1], Line: uint(line), Col: uint(col), Err: &constructError{construct: args[4], why: args[5]}}
	}
	if _, ok := e.runner.Funcs[name]; ok {
		return args, nil
	}
	if rawShopt(args) {
		return args, nil
	}
	if (name == "builtin" || name == "command") && len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		rest, err := e.construct(hc, args[1:])
		if err != nil || rest[0] != args[1] {
			return rest, err
		}
		return append(args[:1:1], rest...), nil
	}
	var err error
	switch {
	case unsupportedBuiltins[name]:
		err = &constructError{construct: name, why: "this builtin is not supported"}
	case name == "printf":
		return e.printf(args)
	case (name == "declare" || name == "typeset") && len(args) > 1 && strings.HasPrefix(args[1], "-") && strings.ContainsAny(args[1], "fF"):
		return e.declare(args)
	case name == "shopt":
		return shopt(args)
	case name == "set":
		err = checkSet(args[1:])
	case name == "read":
		ifs := hc.Env.Get("IFS")
		if !ifs.IsSet() {
			ifs.Str = " \t\n"
		}
		if err = checkFlags(args, "rsapd", "apd"); err == nil {
			// The interpreter's read also drops the export of the
			// variables it assigns.
			return read(hc, args, parseRead(args), ifs.String())
		}
	case name == "mapfile" || name == "readarray":
		err = checkFlags(args, "td", "d")
	case name == "trap":
		return trap(args)
	case name == "exec" && len(args) > 1:
		err = &constructError{construct: strings.Join(args, " "), why: "exec of a command is not supported: it would end the evaluation"}
	case name == "shift":
		n, convErr := strconv.Atoi(strings.Join(args[1:], ""))
		have, _ := strconv.Atoi(hc.Env.Get("#").String())
		if len(args) == 2 && convErr == nil && n > have {
			// bash fails and shifts nothing.
			return []string{"false"}, nil
		}
	case name == "return" && len(args) == 1:
		// The interpreter's bare return returns 0; bash's, $?.
		return []string{"return", strconv.Itoa(hc.LastExitStatus)}, nil
	case name == "eval":
		// The code runs as the check rewrites it; a sourced file is
		// checked as it is read (dot).
		code, err := e.checkCode(strings.Join(args[1:], " "))
		if err != nil {
			return nil, err
		}
		return []string{"eval", code}, nil
	}
	if err != nil {
		return nil, err
	}
	return args, nil
}

// exportedAtStart reports whether the environment the evaluation started
// from exports name.
func (e *evaluator) exportedAtStart(name string) bool {
	return e.env != nil && e.env.Environ.Get(name).Exported
}

// checkCode checks code that eval runs (the position of an error is the
// command's), and returns it rewritten by the check.
func (e *evaluator) checkCode(code string) (string, error) {
	f, err := syntax.NewParser().Parse(strings.NewReader(code), "")
	if err != nil {
		// The interpreter reports it.
		return code, nil
	}
	edited, _, err := checkConstructs("", []byte(code), f, e.exportedAtStart)
	if pe, ok := err.(*PosError); ok {
		return "", pe.Err
	}
	return string(edited), err
}

// checkFlags refuses options of args[0] outside supported; those in
// withArg take a value.
func checkFlags(args []string, supported, withArg string) error {
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			return nil
		}
		for j, f := range a[1:] {
			if !strings.ContainsRune(supported, f) {
				return &constructError{construct: fmt.Sprintf("%s -%c", args[0], f), why: "this option is not supported"}
			}
			if strings.ContainsRune(withArg, f) {
				if j == len(a)-2 {
					if i++; i == len(args) {
						return &constructError{construct: fmt.Sprintf("%s -%c", args[0], f), why: "the option needs an argument (bash fails)"}
					}
				}
				break
			}
		}
	}
	return nil
}

// checkSet refuses the options of set the interpreter does not support,
// and its listings, whose form differs from bash's.
func checkSet(args []string) error {
	if len(args) == 0 {
		return &constructError{construct: "set", why: "listing variables is not supported"}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || len(a) < 2 || (a[0] != '-' && a[0] != '+') {
			return nil
		}
		for _, f := range a[1:] {
			if f == 'o' {
				i++
				if i == len(args) {
					return &constructError{construct: "set " + a, why: "listing options is not supported"}
				}
				if !setOptions[args[i]] {
					return &constructError{construct: "set " + a + " " + args[i], why: "this option is not supported"}
				}
				continue
			}
			if !strings.ContainsRune(setFlags, f) {
				return &constructError{construct: fmt.Sprintf("set %c%c", a[0], f), why: "this option is not supported"}
			}
		}
	}
	return nil
}

// trap refuses traps other than ERR and EXIT, and runs an EXIT trap's
// code in a subshell: bash runs it as its caller (direnv) exits, after
// the environment was taken, so that only what the code does outside
// the shell's variables counts.
func trap(args []string) ([]string, error) {
	if len(args) < 3 || args[1] == "-p" || args[1] == "-l" {
		return nil, &constructError{construct: strings.Join(args, " "), why: "listing traps is not supported"}
	}
	exit := false
	for _, sig := range args[2:] {
		switch sig {
		case "ERR":
		case "EXIT", "0":
			exit = true
		default:
			return nil, &constructError{construct: "trap ... " + sig, why: "traps other than ERR and EXIT are not supported"}
		}
	}
	if !exit || args[1] == "" || args[1] == "-" {
		return args, nil
	}
	if len(args) > 3 {
		return nil, &constructError{construct: strings.Join(args, " "), why: "an EXIT trap set together with another is not supported"}
	}
	return []string{"trap", "(\n" + args[1] + "\n)", "EXIT"}, nil
}

// shopt runs the queries -q and -p through shopt's own listing, which the
// interpreter has, and refuses options it cannot set.
func shopt(args []string) ([]string, error) {
	var set, quiet, print, posix bool
	names := args[1:]
	for len(names) > 0 && len(names[0]) > 1 && names[0][0] == '-' {
		for _, f := range names[0][1:] {
			switch f {
			case 's', 'u':
				set = true
			case 'q':
				quiet = true
			case 'p':
				print = true
			case 'o':
				posix = true
			default:
				return nil, &constructError{construct: fmt.Sprintf("shopt -%c", f), why: "this option is not supported"}
			}
		}
		names = names[1:]
	}
	known := shoptOptions
	if posix {
		known = setOptions
	}
	switch {
	case set && len(names) == 0:
		return nil, &constructError{construct: strings.Join(args, " "), why: "listing options is not supported"}
	case set:
		for _, n := range names {
			if !known[n] {
				return nil, &constructError{construct: strings.Join(args, " "), why: "option " + n + " is not supported"}
			}
		}
		return args, nil
	case len(names) == 0:
		if quiet && !print {
			return []string{"true"}, nil
		}
		return nil, &constructError{construct: strings.Join(args, " "), why: "listing every option is not supported"}
	}
	list := "builtin shopt"
	if posix {
		list = "builtin shopt -o"
	}
	var code strings.Builder
	for _, n := range names {
		if !validOption().MatchString(n) {
			return nil, &constructError{construct: strings.Join(args, " "), why: "invalid option name " + strconv.Quote(n)}
		}
		on, off := fmt.Sprintf("printf '%%-15s\\t%%s\\n' %s on", n), fmt.Sprintf("printf '%%-15s\\t%%s\\n' %s off", n)
		switch {
		case print && posix:
			on, off = "echo 'set -o "+n+"'", "echo 'set +o "+n+"'"
		case print:
			on, off = "echo 'shopt -s "+n+"'", "echo 'shopt -u "+n+"'"
		}
		if !quiet {
			fmt.Fprintf(&code, "case \"$(%s %s)\" in *$'\\t'on*) %s;; *$'\\t'off*) %s;; esac\n", list, n, on, off)
		}
	}
	conds := make([]string, len(names))
	for i, n := range names {
		conds[i] = fmt.Sprintf("[[ \"$(%s %s)\" == *$'\\t'on* ]]", list, n)
	}
	code.WriteString(strings.Join(conds, " && "))
	return []string{"eval", code.String()}, nil
}

// rawShopt reports whether args are shopt's own listing of one option,
// which shopt's rewriting runs.
func rawShopt(args []string) bool {
	return len(args) >= 3 && args[0] == "builtin" && args[1] == "shopt" &&
		(len(args) == 3 || (len(args) == 4 && args[2] == "-o"))
}

var octalEscape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\\0[0-7]`) })

var validOption = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_]+$`) })

// printf runs printf -v, which the interpreter lacks, and refuses the
// formats and arguments it would print unlike bash.
func (e *evaluator) printf(args []string) ([]string, error) {
	rest := args[1:]
	target, assigns := "", false
	if len(rest) > 0 && rest[0] == "-v" {
		if len(rest) < 2 {
			return nil, &constructError{construct: "printf -v", why: "no variable name (bash fails)"}
		}
		target, rest, assigns = rest[1], rest[2:], true
	}
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	} else if len(rest) > 0 && len(rest[0]) > 1 && rest[0][0] == '-' {
		return nil, &constructError{construct: "printf " + rest[0], why: "an invalid option (bash fails)"}
	}
	if len(rest) == 0 {
		return nil, &constructError{construct: "printf", why: "no format (bash fails)"}
	}
	if err := checkFormat(rest[0], rest[1:]); err != nil {
		return nil, err
	}
	if !assigns {
		return args, nil
	}
	var out strings.Builder
	format, fargs := rest[0], rest[1:]
	for {
		s, n, err := expand.Format(nil, format, fargs)
		if err != nil {
			return nil, &constructError{construct: "printf " + strconv.Quote(format), why: err.Error()}
		}
		out.WriteString(s)
		fargs = fargs[n:]
		if n == 0 || len(fargs) == 0 {
			break
		}
	}
	value := out.String()
	if i := strings.IndexByte(value, 0); i >= 0 {
		value = value[:i]
	}
	assign, err := assignment(target, value)
	if err != nil {
		return nil, err
	}
	return []string{"eval", assign}, nil
}

// assignment returns the shell code that assigns value to target, a name
// or an element name[subscript], as printf -v does.
func assignment(target, value string) (string, error) {
	if !assignable().MatchString(target) {
		return "", &constructError{construct: "printf -v " + target, why: "not a valid variable name"}
	}
	q, err := syntax.Quote(value, syntax.LangBash)
	if err != nil {
		return "", err
	}
	code := target + "=" + q
	f, err := syntax.NewParser().Parse(strings.NewReader(code), "")
	bad := &constructError{construct: "printf -v " + target, why: "not a valid variable name"}
	if err != nil || len(f.Stmts) != 1 {
		return "", bad
	}
	call, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) != 0 || len(call.Assigns) != 1 || f.Stmts[0].Redirs != nil {
		return "", bad
	}
	return code, nil
}

// assignable is a variable name or an element name[subscript].
var assignable = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\[.*\])?$`) })

// formatSpec is one conversion of a printf format.
var formatSpec = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`%[-+ #0']*[0-9*]*(\.[0-9*]*)?[a-zA-Z%(]?`) })

// formatFlags are the conversions and flags that expand.Format prints as
// bash does; plainInt is an argument both read as the same integer.
var (
	formatConv = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^%[-+ 0]?[0-9]*[sbdiuoxc%]$`) })
	plainInt   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*))?$`) })
)

// checkFormat refuses a printf format, and arguments, that the
// interpreter would print unlike bash.
func checkFormat(format string, args []string) error {
	fail := func(what, why string) error {
		return &constructError{construct: "printf " + strconv.Quote(format) + ": " + what, why: why}
	}
	if strings.Contains(format, `\u`) || strings.Contains(format, `\U`) {
		return fail(`\u`, "Unicode escapes are not supported")
	}
	specs := formatSpec().FindAllString(format, -1)
	if len(specs) == 0 {
		return nil
	}
	for i := 0; ; {
		start := i
		for _, spec := range specs {
			if !formatConv().MatchString(spec) || (strings.HasSuffix(spec, "%") && spec != "%%") {
				return fail(spec, "this conversion is not supported")
			}
			conv := spec[len(spec)-1]
			if conv == '%' {
				continue
			}
			arg := ""
			if i < len(args) {
				arg = args[i]
			}
			i++
			switch conv {
			case 'd', 'i', 'u', 'o', 'x':
				if !plainInt().MatchString(arg) {
					return fail(strconv.Quote(arg), "not an integer noxenv reads as bash does")
				}
				if _, err := strconv.ParseInt(arg, 0, 64); err != nil && arg != "" {
					return fail(strconv.Quote(arg), "out of range")
				}
			case 'c':
				if arg == "" {
					return fail(spec, "%c of an empty argument is not supported")
				}
			case 'b':
				if strings.Contains(arg, `\c`) || strings.Contains(arg, `\u`) || strings.Contains(arg, `\U`) || octalEscape().MatchString(arg) {
					return fail(strconv.Quote(arg), `\c, \u and \0NNN in %b are not supported`)
				}
			}
		}
		if i == start || i >= len(args) {
			return nil
		}
	}
}
