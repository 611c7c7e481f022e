package store

import (
	"fmt"
	"strings"
)

// A version is split into segments: runs of digits, compared numerically
// (leading zeros ignored), and runs of letters, compared lexically. Every
// other character separates segments. A digit run ranks above a letter run
// at the same position, and a version with more segments after an equal
// prefix is the higher (1.1.1w > 1.1.1).

type segment struct {
	s       string // digits without leading zeros, or letters
	numeric bool
}

func segments(v string) []segment {
	var segs []segment
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case isDigit(c):
			j := i
			for j < len(v) && isDigit(v[j]) {
				j++
			}
			segs = append(segs, segment{strings.TrimLeft(v[i:j], "0"), true})
			i = j
		case isLetter(c):
			j := i
			for j < len(v) && isLetter(v[j]) {
				j++
			}
			segs = append(segs, segment{v[i:j], false})
			i = j
		default:
			i++
		}
	}
	return segs
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func compareSegment(a, b segment) int {
	switch {
	case a.numeric && !b.numeric:
		return 1
	case !a.numeric && b.numeric:
		return -1
	case a.numeric:
		if len(a.s) != len(b.s) {
			return cmpInt(len(a.s), len(b.s))
		}
	}
	return strings.Compare(a.s, b.s)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CompareVersions returns -1, 0 or +1 as a is lower than, equal to or
// higher than b (SPEC §2.2): 1.10 > 1.9, 6.28.04 = 6.28.4, 1.1.1w > 1.1.1.
func CompareVersions(a, b string) int {
	sa, sb := segments(a), segments(b)
	for i := 0; i < len(sa) && i < len(sb); i++ {
		if c := compareSegment(sa[i], sb[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(sa), len(sb))
}

// CheckVersion reports whether v can be an entry's version: it starts with
// a digit, holds only letters, digits and . _ + ~ -, and no "-" followed by
// a digit (the version of NAME-VERSION starts after the last such "-").
func CheckVersion(v string) error {
	if v == "" {
		return fmt.Errorf("empty version")
	}
	if !isDigit(v[0]) {
		return fmt.Errorf("version %q does not start with a digit", v)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) && !isLetter(c) && !strings.ContainsRune("._+~-", rune(c)) {
			return fmt.Errorf("version %q holds %q", v, c)
		}
		if c == '-' && i+1 < len(v) && isDigit(v[i+1]) {
			return fmt.Errorf("version %q holds \"-\" followed by a digit", v)
		}
	}
	// An id ending so would read as another entry's metadata or listing.
	for _, suffix := range []string{InfoSuffix, ListingSuffix} {
		if strings.HasSuffix(v, suffix) {
			return fmt.Errorf("version %q ends in %q, which noxenv keeps for its own files", v, suffix)
		}
	}
	return nil
}

// CheckName reports whether n can be an entry's name: not empty, not
// starting with "." or "-", holding only letters, digits and . _ + -.
func CheckName(n string) error {
	if n == "" {
		return fmt.Errorf("empty name")
	}
	if n[0] == '.' || n[0] == '-' {
		return fmt.Errorf("name %q starts with %q", n, n[0])
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; !nameByte[c] {
			return fmt.Errorf("name %q holds %q", n, c)
		}
	}
	return nil
}

// nameByte marks the bytes a name may hold: resolving 200 names checks
// each several times.
var nameByte = func() (t [256]bool) {
	for c := range t {
		t[c] = isDigit(byte(c)) || isLetter(byte(c)) || strings.ContainsRune("._+-", rune(c))
	}
	return t
}()

// SplitNameVersion splits NAME-VERSION at the last "-" followed by a digit.
func SplitNameVersion(s string) (name, version string, ok bool) {
	for i := len(s) - 2; i > 0; i-- {
		if s[i] == '-' && isDigit(s[i+1]) {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// Constraint is a parsed version constraint: a conjunction of terms.
type Constraint struct {
	terms []term
	src   string
}

type term struct {
	op      string // "", "=", ">=", ">", "<=", "<"
	version string
	segs    []segment
}

// ParseConstraint parses "" (any version), "1.2" (1.2 or any 1.2.*),
// "=1.2", ">=1.2", ">1.2", "<=1.2", "<2" and comma-joined conjunctions of
// them ("<2,>=1.2").
func ParseConstraint(s string) (Constraint, error) {
	c := Constraint{src: s}
	if strings.TrimSpace(s) == "" {
		return c, nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		var t term
		for _, op := range []string{">=", "<=", "=", ">", "<"} {
			if rest, ok := strings.CutPrefix(part, op); ok {
				t.op, part = op, strings.TrimSpace(rest)
				break
			}
		}
		if err := CheckVersion(part); err != nil {
			return Constraint{}, fmt.Errorf("constraint %q: %w", s, err)
		}
		t.version, t.segs = part, segments(part)
		c.terms = append(c.terms, t)
	}
	return c, nil
}

// Match reports whether version v satisfies every term of c.
func (c Constraint) Match(v string) bool {
	for _, t := range c.terms {
		if !t.match(v) {
			return false
		}
	}
	return true
}

func (t term) match(v string) bool {
	switch t.op {
	case "":
		vs := segments(v)
		if len(vs) < len(t.segs) {
			return false
		}
		for i, s := range t.segs {
			if compareSegment(s, vs[i]) != 0 {
				return false
			}
		}
		return true
	case "=":
		return CompareVersions(v, t.version) == 0
	case ">=":
		return CompareVersions(v, t.version) >= 0
	case ">":
		return CompareVersions(v, t.version) > 0
	case "<=":
		return CompareVersions(v, t.version) <= 0
	default: // "<"
		return CompareVersions(v, t.version) < 0
	}
}

// String returns the constraint as it was written.
func (c Constraint) String() string { return c.src }
