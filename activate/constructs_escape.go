package activate

import (
	"strings"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// The interpreter expands some words as one string (an assignment's
// value, a redirection's file, the word of case, the operands of [[ ]])
// without removing the backslashes of their unquoted parts, which bash
// removes: export A=x\ y gave 'x\ y'. The check rewrites each escaped
// character of such a word as a quoted one (x\ y as x' 'y, \' as "'"),
// which both read alike, and so the word of an unquoted ${x:-word} in
// it. Patterns (case's, the right of [[ == ]], ${x#pattern}) and the
// regular expression of [[ =~ ]] keep their backslashes: there they make
// a character match itself, as the interpreter reads them.

// unescape rewrites the backslash escapes of w's unquoted literal parts
// as quoted characters, in the tree and in the text.
func (c *checker) unescape(w *syntax.Word) {
	if w == nil {
		return
	}
	var parts []syntax.WordPart
	for _, p := range w.Parts {
		if pe, ok := p.(*syntax.ParamExp); ok && pe.Exp != nil && valueOp(pe.Exp.Op) {
			// ${x:-word}, unquoted, expands its word as the word's.
			c.unescape(pe.Exp.Word)
		}
		l, ok := p.(*syntax.Lit)
		if !ok || !strings.Contains(l.Value, `\`) {
			parts = append(parts, p)
			continue
		}
		parts = append(parts, unescapedParts(l.Value)...)
		c.unescapeText(l)
	}
	w.Parts = parts
}

// valueOp reports whether a parameter expansion's op expands its word
// as a value (not a pattern, not case conversion's).
func valueOp(op syntax.ParExpOperator) bool {
	switch op {
	case syntax.AlternateUnset, syntax.AlternateUnsetOrNull, syntax.DefaultUnset, syntax.DefaultUnsetOrNull,
		syntax.ErrorUnset, syntax.ErrorUnsetOrNull, syntax.AssignUnset, syntax.AssignUnsetOrNull:
		return true
	}
	return false
}

// unescapedParts returns the literal s, unquoted, as parts without
// backslash escapes. A trailing backslash, which escapes nothing, stays
// as bash keeps it.
func unescapedParts(s string) []syntax.WordPart {
	var parts []syntax.WordPart
	var plain, quoted strings.Builder
	flushPlain := func() {
		if plain.Len() > 0 {
			parts = append(parts, &syntax.Lit{Value: plain.String()})
			plain.Reset()
		}
	}
	flushQuoted := func() {
		if quoted.Len() > 0 {
			parts = append(parts, &syntax.SglQuoted{Value: quoted.String()})
			quoted.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			flushQuoted()
			plain.WriteByte(s[i])
			continue
		}
		flushPlain()
		_, size := utf8.DecodeRuneInString(s[i+1:])
		if s[i+1] == '\'' {
			flushQuoted()
			parts = append(parts, &syntax.DblQuoted{Parts: []syntax.WordPart{&syntax.Lit{Value: "'"}}})
		} else {
			quoted.WriteString(s[i+1 : i+1+size])
		}
		i += size
	}
	flushQuoted()
	flushPlain()
	return parts
}

// unescapeText records l's escapes written as quoted characters in the
// text. A line continuation (backslash-newline, which the literal's value
// has dropped) stays, so that every line stays where it was.
func (c *checker) unescapeText(l *syntax.Lit) {
	if c.program || !l.Pos().IsValid() || !l.End().IsValid() {
		return
	}
	start, end := int(l.Pos().Offset()), int(l.End().Offset())
	if start > end || end > len(c.src) {
		c.fail(l.Pos(), l, errUnwritable.Error())
		return
	}
	text := string(c.src[start:end])
	if strings.ReplaceAll(text, "\\\n", "") != l.Value {
		c.fail(l.Pos(), l, errUnwritable.Error())
		return
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\\\n") {
		continued := strings.HasSuffix(line, "\\\n")
		line = strings.TrimSuffix(line, "\\\n")
		// Not the printer's: it would escape a trailing backslash.
		for _, p := range unescapedParts(line) {
			switch p := p.(type) {
			case *syntax.Lit:
				b.WriteString(p.Value)
			case *syntax.SglQuoted:
				b.WriteString("'" + p.Value + "'")
			case *syntax.DblQuoted:
				b.WriteString(`"'"`)
			}
		}
		if continued {
			b.WriteString("\\\n")
		}
	}
	s := b.String()
	c.edits = append(c.edits, textEdit{start: start, end: end, pos: l.Pos(), text: func() (string, error) { return s, nil }})
}

// unescapeAssign rewrites the words of an assignment the interpreter
// expands as one string: its value, an array element's given with an
// index (one without is split as a command's argument is), and the keys
// of an array declared associative. An indexed array's index is
// arithmetic, and a quoted first key would make the interpreter take
// the array for an associative one.
func (c *checker) unescapeAssign(a *syntax.Assign) {
	if a.Naked {
		return
	}
	c.unescape(a.Value)
	assoc := a.Name != nil && c.assoc[a.Name.Value]
	if w, ok := a.Index.(*syntax.Word); ok && assoc {
		c.unescape(w)
	}
	if a.Array == nil {
		return
	}
	for _, e := range a.Array.Elems {
		if e.Index == nil {
			continue
		}
		c.unescape(e.Value)
		if w, ok := e.Index.(*syntax.Word); ok && assoc {
			c.unescape(w)
		}
	}
}

// unescapeOperands rewrites the operands of [[ ]] but patterns and
// regular expressions.
func (c *checker) unescapeOperands(x syntax.TestExpr) {
	switch x := x.(type) {
	case *syntax.Word:
		c.unescape(x)
	case *syntax.ParenTest:
		c.unescapeOperands(x.X)
	case *syntax.UnaryTest:
		c.unescapeOperands(x.X)
	case *syntax.BinaryTest:
		c.unescapeOperands(x.X)
		switch x.Op {
		case syntax.TsMatch, syntax.TsNoMatch, syntax.TsMatchShort, syntax.TsReMatch:
		default:
			c.unescapeOperands(x.Y)
		}
	}
}
