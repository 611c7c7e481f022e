package shells

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// elvish sets variables with set-env (PATH sets elvish's $paths too).
type elvish struct{}

func (elvish) set(b *strings.Builder, name, value string) {
	b.WriteString("set-env ")
	b.WriteString(name)
	b.WriteByte(' ')
	b.WriteString(quoteElvish(value))
	b.WriteByte('\n')
}

func (elvish) unset(b *strings.Builder, names []string) {
	for _, name := range names {
		b.WriteString("unset-env ")
		b.WriteString(name)
		b.WriteByte('\n')
	}
}

// quoteElvish quotes s for elvish, always as a string (an elvish bareword
// can be taken for other syntax). Printable text goes in single quotes,
// where only ' is special (written twice); anything else in double quotes,
// with each byte of a control character, a non-printable rune or bytes
// that are not UTF-8 as \xHH, which elvish reads as that byte.
func quoteElvish(s string) string {
	if printable(s) {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for rem := s; rem != ""; {
		r, size := utf8.DecodeRuneInString(rem)
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		case r == utf8.RuneError && size == 1, !unicode.IsPrint(r):
			for i := 0; i < size; i++ {
				hexByte(&b, `\x`, rem[i])
			}
		default:
			b.WriteString(rem[:size])
		}
		rem = rem[size:]
	}
	b.WriteByte('"')
	return b.String()
}
