package activate

import (
	"errors"
	"io"
	"strings"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// The interpreter's read splits on IFS's characters other than blanks
// unlike bash (it drops empty fields and a trailing delimiter), and has no
// -d: where IFS holds such a character, or -d is given, read runs here,
// as bash's does, and its result is assigned by eval.

// readChar is a character read, escaped by a backslash or not.
type readChar struct {
	c       byte
	escaped bool
}

// splitsOwnIFS reports whether ifs holds a character other than a blank.
func splitsOwnIFS(ifs string) bool {
	return strings.Trim(ifs, " \t\n") != ""
}

// readArgs are read's options and names.
type readArgs struct {
	raw      bool
	array    string
	delim    byte
	delimSet bool
	names    []string
}

// parseRead parses the arguments of read, which checkFlags checked.
func parseRead(args []string) readArgs {
	ra := readArgs{delim: '\n'}
	names := args[1:]
	for len(names) > 0 && len(names[0]) > 1 && names[0][0] == '-' && names[0] != "--" {
		flags := names[0][1:]
		names = names[1:]
		for i := 0; i < len(flags); i++ {
			switch flags[i] {
			case 'r':
				ra.raw = true
			case 'a', 'p', 'd':
				value := flags[i+1:]
				if value == "" && len(names) > 0 {
					value, names = names[0], names[1:]
				}
				switch flags[i] {
				case 'a':
					ra.array = value
				case 'd':
					// -d '' reads up to a NUL byte.
					ra.delim, ra.delimSet = 0, true
					if value != "" {
						ra.delim = value[0]
					}
				}
				i = len(flags)
			}
		}
	}
	if len(names) > 0 && names[0] == "--" {
		names = names[1:]
	}
	ra.names = names
	return ra
}

// read runs read from hc's standard input with the IFS ifs, returning
// the code that assigns what it read.
func read(hc interp.HandlerContext, args []string, ra readArgs, ifs string) ([]string, error) {
	raw, array, delim, names := ra.raw, ra.array, ra.delim, ra.names
	line, complete, err := readLine(hc.Stdin, raw, delim)
	if err != nil {
		return nil, err
	}
	sp := &ifsSplitter{line: line, ifs: ifs}
	var code []string
	switch {
	case array != "":
		var fields []string
		sp.skipBlanks()
		for sp.pos < len(sp.line) {
			fields = append(fields, sp.field())
		}
		quoted := make([]string, len(fields))
		for i, f := range fields {
			quoted[i] = quote(f)
		}
		code = append(code, array+"=("+strings.Join(quoted, " ")+")")
	case len(names) == 0:
		code = append(code, "REPLY="+quote(plain(line)))
	default:
		sp.skipBlanks()
		for _, n := range names[:len(names)-1] {
			code = append(code, n+"="+quote(sp.field()))
		}
		code = append(code, names[len(names)-1]+"="+quote(sp.rest()))
	}
	for _, n := range append(names, array) {
		if n != "" && !assignable().MatchString(n) || n != "" && n == array && !syntax.ValidName(n) {
			return nil, &constructError{construct: strings.Join(args, " "), why: "not a valid variable name: " + n}
		}
	}
	assigns := strings.Join(code, "\n")
	f, err := syntax.NewParser().Parse(strings.NewReader(assigns), "")
	if err != nil || len(f.Stmts) != len(code) {
		return nil, &constructError{construct: strings.Join(args, " "), why: "not a valid variable name"}
	}
	for _, st := range f.Stmts {
		if call, ok := st.Cmd.(*syntax.CallExpr); !ok || len(call.Args) != 0 || len(call.Assigns) != 1 {
			return nil, &constructError{construct: strings.Join(args, " "), why: "not a valid variable name"}
		}
	}
	if !complete {
		// At the end of the input, read assigns what it read and fails:
		// with a status of no command, so that the failure names read.
		assigns += "\n((0))"
	}
	return []string{"eval", assigns}, nil
}

func quote(s string) string {
	q, err := syntax.Quote(s, syntax.LangBash)
	if err != nil {
		// Quote fails only on NUL bytes, which read drops as bash does.
		q, _ = syntax.Quote(strings.ReplaceAll(s, "\x00", ""), syntax.LangBash)
	}
	return q
}

// readLine reads up to delim from r a byte at a time, as bash does so as
// not to read past it: with raw false, a backslash escapes the next
// character and joins a line to the next. complete is false where the
// input ended before delim.
func readLine(r io.Reader, raw bool, delim byte) (line []readChar, complete bool, err error) {
	if r == nil {
		return nil, false, nil
	}
	var b [1]byte
	escape := false
	for {
		n, err := r.Read(b[:])
		if n == 0 {
			if errors.Is(err, io.EOF) || err == nil {
				return line, false, nil
			}
			return nil, false, err
		}
		c := b[0]
		switch {
		case escape && c == '\n':
			escape = false
		case escape:
			line = append(line, readChar{c, true})
			escape = false
		case c == '\\' && !raw:
			escape = true
		case c == delim:
			return line, true, nil
		case c == 0:
			// bash drops NUL bytes.
		default:
			line = append(line, readChar{c: c})
		}
	}
}

func plain(line []readChar) string {
	var b strings.Builder
	for _, c := range line {
		b.WriteByte(c.c)
	}
	return b.String()
}

// ifsSplitter splits a line read into fields as bash's read does.
type ifsSplitter struct {
	line []readChar
	ifs  string
	pos  int
}

func (s *ifsSplitter) blank(c readChar) bool {
	return !c.escaped && strings.IndexByte(" \t\n", c.c) >= 0 && strings.IndexByte(s.ifs, c.c) >= 0
}

func (s *ifsSplitter) delim(c readChar) bool {
	return !c.escaped && strings.IndexByte(s.ifs, c.c) >= 0
}

func (s *ifsSplitter) skipBlanks() {
	for s.pos < len(s.line) && s.blank(s.line[s.pos]) {
		s.pos++
	}
}

// field returns the next field and consumes its delimiter: blanks, and
// at most one other IFS character with the blanks after it.
func (s *ifsSplitter) field() string {
	start := s.pos
	for s.pos < len(s.line) && !s.delim(s.line[s.pos]) {
		s.pos++
	}
	f := plain(s.line[start:s.pos])
	s.skipBlanks()
	if s.pos < len(s.line) && s.delim(s.line[s.pos]) {
		s.pos++
		s.skipBlanks()
	}
	return f
}

// rest returns what the last name gets: the rest of the line less its
// trailing blanks, less a trailing delimiter too where the rest is one
// field.
func (s *ifsSplitter) rest() string {
	end := len(s.line)
	for end > s.pos && s.blank(s.line[end-1]) {
		end--
	}
	rest := &ifsSplitter{line: s.line[s.pos:end], ifs: s.ifs}
	if f := rest.field(); rest.pos == len(rest.line) {
		return f
	}
	return plain(rest.line)
}
