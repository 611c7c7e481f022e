package shells

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// bash sets variables with export and ANSI-C quoting where needed.
type bash struct{}

func (bash) set(b *strings.Builder, name, value string) {
	b.WriteString("export ")
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(quotePOSIX(value))
	b.WriteString(";\n")
}

func (bash) unset(b *strings.Builder, names []string) {
	for _, name := range names {
		b.WriteString("unset ")
		b.WriteString(name)
		b.WriteString(";\n")
	}
}

// quotePOSIX quotes s for bash and zsh. Printable text goes in single
// quotes; anything else (control characters, bytes that are not UTF-8,
// non-printable runes) in $'...' with each such byte as \xHH, which both
// shells read as that byte whatever the locale.
func quotePOSIX(s string) string {
	if s == "" {
		return "''"
	}
	if plainWord(s) {
		return s
	}
	if printable(s) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for rem := s; rem != ""; {
		r, size := utf8.DecodeRuneInString(rem)
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && size == 1, !unicode.IsPrint(r):
			for i := 0; i < size; i++ {
				hexByte(&b, `\x`, rem[i])
			}
		default:
			b.WriteString(rem[:size])
		}
		rem = rem[size:]
	}
	b.WriteByte('\'')
	return b.String()
}

// plainWord reports whether s needs no quoting in any shell: only
// characters no shell gives a meaning to in a word.
func plainWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("/_-.,:+@", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// printable reports whether s is valid UTF-8 made of printable runes
// (spaces included), so that it can be shown as it is within quotes.
func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			// RuneError is also what an invalid byte decodes to; a real
			// U+FFFD is escaped byte by byte, which is still exact.
			return false
		}
	}
	return true
}

func hexByte(b *strings.Builder, prefix string, c byte) {
	const digits = "0123456789abcdef"
	b.WriteString(prefix)
	b.WriteByte(digits[c>>4])
	b.WriteByte(digits[c&15])
}
