package settings

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrNotPlain is DecodePlain's answer for a file beyond the plain form: a
// TOML parser must read it.
var ErrNotPlain = errors.New("not a plain settings file")

// DecodePlain is a Decoder for the form settings files almost always
// take: lines of `key = value` at the top level, with a bare key and a
// value that is true, false, a decimal integer, a string without escapes
// ("..." or '...'), or an array of such strings on one line, and blank
// lines and comments. For such a file it returns what TOML gives; for
// anything else (a table, a dotted or quoted key, an escape, a float, a
// date, a value on several lines, a syntax error) it returns ErrNotPlain.
// It lets noxenv's front, which links no TOML parser, read the usual
// settings file at the prompt.
func DecodePlain(_ string, data []byte) (map[string]any, error) {
	if !utf8.Valid(data) {
		return nil, ErrNotPlain
	}
	out := map[string]any{}
	for rest := string(data); rest != ""; {
		line, after, ended := strings.Cut(rest, "\n")
		if ended {
			line = strings.TrimSuffix(line, "\r")
		}
		rest = after
		if strings.ContainsFunc(line, isControl) {
			return nil, ErrNotPlain
		}
		p := plainLine{s: line}
		p.space()
		if p.end() {
			continue
		}
		key := p.key()
		p.space()
		if key == "" || !p.take('=') {
			return nil, ErrNotPlain
		}
		p.space()
		v, ok := p.value()
		p.space()
		if _, dup := out[key]; !ok || dup || !p.end() {
			return nil, ErrNotPlain
		}
		out[key] = v
	}
	return out, nil
}

// isControl reports the characters TOML allows in no comment or string:
// the control characters but tab.
func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// plainLine is what is left of a line being read.
type plainLine struct{ s string }

func (p *plainLine) space() { p.s = strings.TrimLeft(p.s, " \t") }

// end reports whether nothing but a comment is left.
func (p *plainLine) end() bool { return p.s == "" || p.s[0] == '#' }

func (p *plainLine) take(c byte) bool {
	if p.s != "" && p.s[0] == c {
		p.s = p.s[1:]
		return true
	}
	return false
}

// key reads a bare key.
func (p *plainLine) key() string {
	n := 0
	for n < len(p.s) && isBareKey(p.s[n]) {
		n++
	}
	k := p.s[:n]
	p.s = p.s[n:]
	return k
}

func isBareKey(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// value reads a value of the plain form, followed by the end of the
// value (a space, a comment or the end of the line).
func (p *plainLine) value() (any, bool) {
	var v any
	ok := false
	switch {
	case p.s == "":
	case p.s[0] == '[':
		v, ok = p.array()
	case p.s[0] == '"' || p.s[0] == '\'':
		v, ok = p.str()
	default:
		word := p.key()
		switch {
		case word == "true" || word == "false":
			v, ok = word == "true", true
		case word == "0" || word != "" && word[0] != '0' && strings.Trim(word, "0123456789") == "":
			n, err := strconv.ParseInt(word, 10, 64)
			v, ok = n, err == nil
		}
	}
	return v, ok && (p.s == "" || p.s[0] == ' ' || p.s[0] == '\t' || p.s[0] == '#')
}

// str reads a string without escapes: "..." without a backslash, or
// '...'.
func (p *plainLine) str() (string, bool) {
	q := p.s[0]
	body, rest, found := strings.Cut(p.s[1:], string(q))
	if !found || q == '"' && strings.Contains(body, `\`) {
		return "", false
	}
	p.s = rest
	return body, true
}

// array reads an array of strings on one line, a comma after the last
// allowed.
func (p *plainLine) array() ([]any, bool) {
	p.s = p.s[1:]
	items := []any{}
	for {
		p.space()
		if p.take(']') {
			return items, true
		}
		if p.s == "" || p.s[0] != '"' && p.s[0] != '\'' {
			return nil, false
		}
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		items = append(items, s)
		p.space()
		if !p.take(',') {
			p.space()
			return items, p.take(']')
		}
	}
}

// keyLine returns the line that sets the top-level key in data, a file
// of the plain form (see DecodePlain), or 0 for a file beyond it, where a
// line that reads like one may lie in a string over several lines.
func keyLine(data []byte, key string) int {
	if _, err := DecodePlain("", data); err != nil {
		return 0
	}
	for n, line := range strings.Split(string(data), "\n") {
		p := plainLine{s: line}
		p.space()
		if p.key() == key {
			return n + 1
		}
	}
	return 0
}
