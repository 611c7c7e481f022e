package activate

import (
	"bytes"
	"errors"
	"sort"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// The interpreter parses a sourced file (and eval's code) again from its
// text: what the check rewrites in a sourced file's tree is lost there.
// The check therefore also writes its rewrites into the text as edits
// that keep every line where it was (a column after an edit on its line
// moves), and the interpreter is given that text.

// textEdit replaces the bytes from start to end (an insertion where they
// are equal) with what text returns once the check has rewritten the
// whole tree.
type textEdit struct {
	start, end int
	text       func() (string, error)
	pos        syntax.Pos
}

// errUnwritable is why a rewrite that cannot be written as text is
// refused.
var errUnwritable = errors.New("noxenv cannot write this as bash runs it in a sourced file or eval code (it would span more lines)")

// insert records the text s inserted at offset off, where the source has
// want just before it (the check's guard against a position it misreads).
func (c *checker) insert(n syntax.Node, pos syntax.Pos, off int, want, s string) {
	if c.program || !pos.IsValid() {
		return
	}
	if off < len(want) || off > len(c.src) || string(c.src[off-len(want):off]) != want {
		c.fail(pos, n, errUnwritable.Error())
		return
	}
	c.edits = append(c.edits, textEdit{start: off, end: off, pos: pos, text: func() (string, error) { return s, nil }})
}

// arithmText records that the arithmetic expression from..to reads as *x
// once the check ends (as $((*x)) where wrap): printed on one line,
// followed by the newlines it spanned (arithmetic reads them as blanks)
// except in let's words (let is on one line, printed as let reads it).
func (c *checker) arithmText(from, to syntax.Pos, x *syntax.ArithmExpr, let, wrap bool) {
	if c.program || !from.IsValid() || !to.IsValid() {
		return
	}
	start, end := int(from.Offset()), int(to.Offset())
	lines := bytes.Count(c.src[start:end], []byte("\n"))
	c.edits = append(c.edits, textEdit{start: start, end: end, pos: from, text: func() (string, error) {
		s := printArithm(*x, let)
		pad := lines - strings.Count(s, "\n")
		if pad < 0 || (let && pad > 0) {
			return "", errUnwritable
		}
		s += strings.Repeat("\n", pad)
		if wrap {
			s = "$((" + s + "))"
		}
		return s, nil
	}})
}

// printArithm prints x as $((...)) holds it, or compact as let's word.
func printArithm(x syntax.ArithmExpr, let bool) string {
	var b strings.Builder
	if let {
		syntax.NewPrinter(syntax.SingleLine(true)).Print(&b, &syntax.LetClause{Exprs: []syntax.ArithmExpr{x}})
		return strings.TrimPrefix(b.String(), "let ")
	}
	syntax.NewPrinter(syntax.SingleLine(true)).Print(&b, &syntax.ArithmExp{X: x})
	s := b.String()
	return s[len("$((") : len(s)-len("))")]
}

// clobber records >| written as >.
func (c *checker) clobber(n *syntax.Redirect) {
	off := int(n.OpPos.Offset())
	if c.program || !n.OpPos.IsValid() {
		return
	}
	if off+2 > len(c.src) || string(c.src[off:off+2]) != ">|" {
		c.fail(n.OpPos, n, errUnwritable.Error())
		return
	}
	c.edits = append(c.edits, textEdit{start: off, end: off + 2, pos: n.OpPos, text: func() (string, error) { return "> ", nil }})
}

// typeset records typeset written as declare, of the same length.
func (c *checker) typeset(n *syntax.DeclClause) {
	off := int(n.Variant.Pos().Offset())
	if c.program || !n.Variant.Pos().IsValid() {
		return
	}
	if off+len("typeset") > len(c.src) || string(c.src[off:off+len("typeset")]) != "typeset" {
		c.fail(n.Variant.Pos(), n, errUnwritable.Error())
		return
	}
	c.edits = append(c.edits, textEdit{start: off, end: off + len("typeset"), pos: n.Variant.Pos(), text: func() (string, error) { return "declare", nil }})
}

// partText records the word part p inserted at pos, printed once the
// check ends.
func (c *checker) partText(pos syntax.Pos, p syntax.WordPart) {
	if c.program || !pos.IsValid() {
		return
	}
	off := int(pos.Offset())
	c.edits = append(c.edits, textEdit{start: off, end: off, pos: pos, text: func() (string, error) {
		var b strings.Builder
		syntax.NewPrinter(syntax.SingleLine(true)).Print(&b, p)
		if strings.Contains(b.String(), "\n") {
			return "", errUnwritable
		}
		return b.String(), nil
	}})
}

// colShift is an edit on one line of the text the interpreter runs:
// its columns from edStart to edEnd were from orStart to orEnd.
type colShift struct {
	line                           uint
	edStart, edEnd, orStart, orEnd uint
}

// columns maps the positions in an edited text to the file's.
type columns []colShift

// pos is the file's position of p, a position in the edited text.
func (m columns) pos(p syntax.Pos) syntax.Pos {
	col, found := p.Col(), false
	for _, s := range m {
		if s.line != p.Line() || s.edStart > p.Col() {
			continue
		}
		found = true
		if p.Col() < s.edEnd {
			col = s.orStart
		} else {
			col = s.orEnd + p.Col() - s.edEnd
		}
	}
	if !found {
		return p
	}
	return syntax.NewPos(p.Offset(), p.Line(), col)
}

// edited returns src with the recorded edits, and where they moved
// columns; an edit inside an expression printed whole is in its print
// already.
func (c *checker) edited() ([]byte, columns, error) {
	if len(c.edits) == 0 {
		return c.src, nil, nil
	}
	edits := c.edits
	sort.SliceStable(edits, func(i, j int) bool {
		a, b := edits[i], edits[j]
		if a.start != b.start {
			return a.start < b.start
		}
		// Insertions first, then the outer of two replacements.
		return (a.end == a.start && b.end != b.start) || (a.end != a.start && b.end != b.start && a.end > b.end)
	})
	var out bytes.Buffer
	var cols columns
	prev, coverStart, coverEnd := 0, -1, -1
	for _, e := range edits {
		insertion := e.start == e.end
		if (insertion && e.start > coverStart && e.start < coverEnd) || (!insertion && e.start >= coverStart && e.end <= coverEnd) {
			continue
		}
		s, err := e.text()
		if err == nil && e.start < prev {
			err = errUnwritable
		}
		if err != nil {
			line, _, _ := strings.Cut(string(c.src[e.start:]), "\n")
			return nil, nil, posError(c.file, e.pos, &constructError{construct: line[:min(len(line), 40)], why: err.Error()})
		}
		if !strings.Contains(s, "\n") && !bytes.Contains(c.src[e.start:e.end], []byte("\n")) {
			line := uint(bytes.Count(c.src[:e.start], []byte("\n")) + 1)
			col := uint(e.start - bytes.LastIndexByte(c.src[:e.start], '\n'))
			shift := uint(0)
			for _, p := range cols {
				if p.line == line {
					shift += (p.edEnd - p.edStart) - (p.orEnd - p.orStart)
				}
			}
			cols = append(cols, colShift{line: line, edStart: col + shift, edEnd: col + shift + uint(len(s)), orStart: col, orEnd: col + uint(e.end-e.start)})
		}
		out.Write(c.src[prev:e.start])
		out.WriteString(s)
		prev = e.end
		if !insertion {
			coverStart, coverEnd = e.start, e.end
		}
	}
	out.Write(c.src[prev:])
	if _, err := syntax.NewParser().Parse(bytes.NewReader(out.Bytes()), c.file); err != nil {
		return nil, nil, posError(c.file, edits[0].pos, &constructError{construct: "this file", why: errUnwritable.Error()})
	}
	return out.Bytes(), cols, nil
}

// expands reports whether x holds an expansion.
func expands(x syntax.ArithmExpr) bool {
	found := false
	syntax.Walk(x, func(node syntax.Node) bool {
		switch node.(type) {
		case *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ParamExp, *syntax.ProcSubst:
			found = true
		}
		return !found
	})
	return found
}

// lineEnd is where s ends, before the body of a here-document it reads.
func lineEnd(s *syntax.Stmt) syntax.Pos {
	if s.Semicolon.IsValid() {
		return s.End()
	}
	end := s.Position
	if s.Cmd != nil {
		end = s.Cmd.End()
	}
	for _, r := range s.Redirs {
		e := r.End()
		if r.Hdoc != nil {
			e = r.Word.End()
		}
		if e.After(end) {
			end = e
		}
	}
	return end
}
