package activate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// bashQuote quotes s as bash's printf %q does in a UTF-8 locale: two
// single quotes for nothing, $'...' where s holds a character that is not
// printable, and backslashes before the characters the shell would read
// otherwise.
func bashQuote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.IndexFunc(s, notPrintable) >= 0 || !utf8.ValidString(s) {
		return ansiQuote(s)
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(" \t\n'\"\\|&;()<>!{}*[?]^$`,", r),
			r == '~' && (i == 0 || s[i-1] == '=' || s[i-1] == ':'),
			r == '#' && i == 0:
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func notPrintable(r rune) bool { return !unicode.IsGraphic(r) }

// ansiQuote is s in bash's $'...', with the escapes bash writes there.
func ansiQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\%03o", s[0])
		case strings.ContainsRune("\a\b\x1b\f\n\r\t\v", r):
			b.WriteString(map[rune]string{'\a': `\a`, '\b': `\b`, 0x1b: `\E`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`, '\v': `\v`}[r])
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case notPrintable(r):
			for i := range n {
				fmt.Fprintf(&b, "\\%03o", s[i])
			}
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	b.WriteByte('\'')
	return b.String()
}
