package shells

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fish sets global exported variables. A PATH-like variable is a list (set
// with --path, so that fish joins it with ':' when exporting), as fish
// itself imports PATH.
//
// fish itself stores an empty entry of PATH or CDPATH as "." (the same
// directory): the one place where a value does not reach fish byte for
// byte.
type fish struct{}

func (fish) set(b *strings.Builder, name, value string) {
	// "--" keeps a value that starts with "-" from being read as an option.
	b.WriteString("set -gx ")
	if PathLike(name) {
		b.WriteString("--path -- ")
		b.WriteString(name)
		for _, e := range strings.Split(value, ":") {
			b.WriteByte(' ')
			b.WriteString(quoteFish(e))
		}
	} else {
		b.WriteString("-- ")
		b.WriteString(name)
		b.WriteByte(' ')
		b.WriteString(quoteFish(value))
	}
	b.WriteString(";\n")
}

func (fish) unset(b *strings.Builder, names []string) {
	for _, name := range names {
		b.WriteString("set -e -g ")
		b.WriteString(name)
		b.WriteString(";\n")
	}
}

// quoteFish quotes s for fish. Printable runes go in single quotes (where
// only \\ and \' are escapes); anything else outside them, as \xHH for an
// ASCII control character and \XHH, fish's arbitrary byte, for every byte
// of a non-printable or invalid UTF-8 sequence.
func quoteFish(s string) string {
	if s == "" {
		return "''"
	}
	if plainWord(s) {
		return s
	}
	var b strings.Builder
	quoted := false
	for rem := s; rem != ""; {
		r, size := utf8.DecodeRuneInString(rem)
		if (r == utf8.RuneError && size == 1) || !unicode.IsPrint(r) {
			if quoted {
				b.WriteByte('\'')
				quoted = false
			}
			for i := 0; i < size; i++ {
				if c := rem[i]; c < utf8.RuneSelf {
					hexByte(&b, `\x`, c)
				} else {
					hexByte(&b, `\X`, c)
				}
			}
		} else {
			if !quoted {
				b.WriteByte('\'')
				quoted = true
			}
			if r == '\'' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteString(rem[:size])
		}
		rem = rem[size:]
	}
	if quoted {
		b.WriteByte('\'')
	}
	return b.String()
}
