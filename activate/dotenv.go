package activate

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseDotenv reads the KEY=VALUE lines of a dotenv file with the syntax
// and results of github.com/joho/godotenv v1.5.1 (UnmarshalBytes), its
// quirks and error messages included: FuzzDotenv holds the two to the same
// answers. A $VAR or ${VAR} that the file has not set before expands to
// lookup's value (the script's exported variable), as direnv has it, as
// if the script's variables were set at the top of the file.
func parseDotenv(data []byte, lookup func(string) (string, bool)) (map[string]string, error) {
	vars := map[string]string{}
	value := func(name string) string {
		if v, ok := vars[name]; ok {
			return v
		}
		if v, ok := lookup(name); ok {
			return v
		}
		return ""
	}
	src := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	for {
		src = dotenvStatement(src)
		if len(src) == 0 {
			return vars, nil
		}
		key, rest, err := dotenvKey(src)
		if err != nil {
			return nil, err
		}
		v, rest, err := dotenvValue(rest, value)
		if err != nil {
			return nil, err
		}
		vars[key] = v
		src = rest
	}
}

// dotenvStatement skips the blank space (any Unicode space, line breaks
// included) and # comment lines before the next statement.
func dotenvStatement(src []byte) []byte {
	for {
		src = bytes.TrimLeftFunc(src, unicode.IsSpace)
		if len(src) == 0 || src[0] != '#' {
			return src
		}
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			return nil
		}
		src = src[i:]
	}
}

// isDotenvSpace is godotenv's blank within a line.
func isDotenvSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

// dotenvKey reads a statement's key, after an optional "export ", up to
// its '=' or ':', and returns the rest after the blanks that follow. The
// key's bytes, each taken as the rune of that number, are letters, digits,
// '_', '.' or blanks (kept within, trimmed after); a statement without '='
// or ':', which can only be a last line, is a value for the key "".
func dotenvKey(src []byte) (string, []byte, error) {
	if rest, ok := bytes.CutPrefix(src, []byte("export")); ok {
		if r, _ := utf8.DecodeRune(rest); isDotenvSpace(r) {
			src = bytes.TrimLeftFunc(rest, isDotenvSpace)
		}
	}
	if len(src) == 0 {
		return "", nil, errors.New("zero length string")
	}
	key, rest := "", src
	for i, c := range src {
		if c == '=' || c == ':' {
			key, rest = string(src[:i]), src[i+1:]
			break
		}
		if r := rune(c); !isDotenvSpace(r) && c != '_' && c != '.' && !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return "", nil, fmt.Errorf("unexpected character %q in variable name near %q", string(r), src)
		}
	}
	return strings.TrimRightFunc(key, unicode.IsSpace), bytes.TrimLeftFunc(rest, isDotenvSpace), nil
}

// dotenvValue reads a value and returns the rest after it. A quoted value
// ends at the first quote not right after a backslash, possibly lines
// further; an escaped quote just before that one is dropped with the
// quotes. A single-quoted value is as written; a double-quoted one is
// unescaped, then expanded. An unquoted value ends at the line's end and
// is expanded.
func dotenvValue(src []byte, value func(string) string) (string, []byte, error) {
	if len(src) > 0 && (src[0] == '"' || src[0] == '\'') {
		q := src[0]
		for i := 1; i < len(src); i++ {
			if src[i] != q || src[i-1] == '\\' {
				continue
			}
			v := bytes.TrimSuffix(src[1:i], []byte{q})
			if q == '\'' {
				return string(v), src[i+1:], nil
			}
			return dotenvExpand(dotenvUnescape(v), value), src[i+1:], nil
		}
		line, _, _ := bytes.Cut(src, []byte("\n"))
		return "", nil, fmt.Errorf("unterminated quoted value %s", line)
	}
	end := bytes.IndexAny(src, "\r\n")
	if end < 0 {
		end = len(src)
	}
	return dotenvExpand(dotenvUnquoted(src[:end]), value), src[end:], nil
}

// dotenvUnquoted is an unquoted value: its line up to the last '#' after a
// blank, trailing blanks trimmed, each byte that is not part of UTF-8
// replaced by U+FFFD.
func dotenvUnquoted(line []byte) string {
	var b strings.Builder
	end, blank := -1, false
	for len(line) > 0 {
		r, n := utf8.DecodeRune(line)
		if r == '#' && blank {
			end = b.Len()
		}
		blank = isDotenvSpace(r)
		b.WriteRune(r)
		line = line[n:]
	}
	s := b.String()
	if end >= 0 {
		s = s[:end]
	}
	return strings.TrimRightFunc(s, isDotenvSpace)
}

// dotenvUnescape unescapes a double-quoted value: \n and \r are a newline
// and a carriage return, \$ stays for dotenvExpand, and a backslash before
// any other byte is dropped.
func dotenvUnescape(v []byte) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			i++
			switch c = v[i]; c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case '$':
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// dotenvExpand replaces each reference in s by its variable's value: a '$',
// an optional '(' and '{', a name of [A-Z0-9_] and an optional '}' (so
// ${NAME}, $NAME, but also $(NAME and $NAME}). A reference without a name
// stays as written, and so does one after a backslash, without the
// backslash.
func dotenvExpand(s string, value func(string) string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		escaped := s[i] == '\\' && i+1 < len(s) && s[i+1] == '$'
		if s[i] != '$' && !escaped {
			b.WriteByte(s[i])
			i++
			continue
		}
		start := i
		if escaped {
			start++
		}
		i = start + 1
		for _, c := range []byte("({") {
			if i < len(s) && s[i] == c {
				i++
			}
		}
		from := i
		for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
			i++
		}
		name := s[from:i]
		if i < len(s) && s[i] == '}' {
			i++
		}
		if escaped || name == "" {
			b.WriteString(s[start:i])
		} else {
			b.WriteString(value(name))
		}
	}
	return b.String()
}
