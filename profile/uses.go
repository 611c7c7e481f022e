package profile

import (
	"fmt"
	"io"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/store"
)

// Export is generation g of the profile named name as a .noxprofile: one
// use line per member, pinned to its version. unkept are the members whose
// priority, not the default, such a file cannot say.
func Export(name string, g GenerationInfo) (text string, unkept []Member) {
	var b strings.Builder
	fmt.Fprintf(&b, "# Profile %s, generation %d (noxenv profile export).\n", name, g.Number)
	for _, m := range g.Members {
		fmt.Fprintf(&b, "use %s =%s\n", m.Name, m.Version)
		if m.Priority != DefaultPriority {
			unkept = append(unkept, m)
		}
	}
	return b.String(), unkept
}

// Use is one use line of an imported file.
type Use struct {
	Request store.Request
	Pos     string // FILE:LINE:COL
}

// ReadUses reads the use lines of a .noxprofile as Export writes them: use
// NAME, use NAME CONSTRAINT or use NAME@CONSTRAINT, with comments, blank
// lines and quoted words ('>=1.2,<2' needs quotes in shell syntax).
// Anything else would need the file evaluated, which import does not do:
// it is an error naming its position. name is the file's, for positions.
func ReadUses(r io.Reader, name string) ([]Use, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(r, name)
	if err != nil {
		return nil, err
	}
	var uses []Use
	seen := map[string]string{}
	for _, st := range f.Stmts {
		pos := fmt.Sprintf("%s:%d:%d", name, st.Pos().Line(), st.Pos().Col())
		call, ok := st.Cmd.(*syntax.CallExpr)
		if !ok || st.Negated || st.Background || st.Coprocess || st.Disown || len(st.Redirs) > 0 || len(call.Assigns) > 0 {
			return nil, fmt.Errorf("%s: import reads only use lines", pos)
		}
		words := make([]string, len(call.Args))
		for i, w := range call.Args {
			var ok bool
			if words[i], ok = literal(w); !ok {
				return nil, fmt.Errorf("%s: import reads only use lines of literal words", pos)
			}
		}
		if words[0] != "use" {
			return nil, fmt.Errorf("%s: import reads only use lines, not %s", pos, words[0])
		}
		if len(words) < 2 || len(words) > 3 {
			return nil, fmt.Errorf("%s: usage: use NAME [CONSTRAINT]", pos)
		}
		s := words[1]
		if len(words) == 3 {
			s += "@" + words[2]
		}
		req, err := store.ParseRequest(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pos, err)
		}
		if prev, ok := seen[req.Name]; ok {
			return nil, fmt.Errorf("%s: %s is used already at %s", pos, req.Name, prev)
		}
		seen[req.Name] = pos
		uses = append(uses, Use{req, pos})
	}
	return uses, nil
}

// literal returns the value of a word without expansions: plain, quoted
// or both.
func literal(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if strings.ContainsRune(p.Value, '\\') {
				return "", false
			}
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok || strings.ContainsRune(lit.Value, '\\') {
					return "", false
				}
				b.WriteString(lit.Value)
			}
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// ResolveUses makes the members of uses, each resolved in sp; an error
// names the use line's position.
func ResolveUses(sp *store.SearchPath, uses []Use) ([]Member, error) {
	var ms []Member
	for _, u := range uses {
		e, err := sp.Resolve(u.Request)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u.Pos, err)
		}
		ms = append(ms, Member{Name: e.Name, Version: e.Version, Request: u.Request.String(), ID: e.ID, Priority: DefaultPriority, Entry: e})
	}
	return ms, nil
}
