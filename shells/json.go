package shells

import (
	"strings"
	"unicode/utf8"
)

// renderJSON writes {"NAME": "value" | null, ...}.
//
// JSON strings are Unicode, environment values are bytes. A value's valid
// UTF-8 is written as it is (with JSON's escapes); each byte that is not
// part of valid UTF-8 is written as the lone surrogate escape \udcXX, XX
// being the byte (0x80-0xff): the "surrogateescape" convention of PEP 383,
// so that Python's json.loads followed by os.fsencode gives back the exact
// bytes. A decoder that does not know the convention sees U+FFFD instead.
func renderJSON(names []string, changes Changes) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n  ")
		jsonString(&b, name)
		b.WriteString(": ")
		if v := changes[name]; v == nil {
			b.WriteString("null")
		} else {
			jsonString(&b, *v)
		}
	}
	if len(names) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.String()
}

func jsonString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for rem := s; rem != ""; {
		r, size := utf8.DecodeRuneInString(rem)
		switch {
		case r == utf8.RuneError && size == 1:
			hexByte(b, `\udc`, rem[0])
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			hexByte(b, `\u00`, byte(r))
		default:
			b.WriteString(rem[:size])
		}
		rem = rem[size:]
	}
	b.WriteByte('"')
}
