package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Decoder reads JSON of the forms noxenv writes without reflection, for
// the files read by the hundred on every profile change or activation
// (entries' metadata, generations' manifests, profiles' records), where
// encoding/json spent most of the time. It reads any white space and keys
// in any order; each method reports false for anything else it does not
// read as encoding/json would (an escape in a key, a key of another case,
// twice or unknown, a null, a malformed file), and the caller then decodes
// the whole with encoding/json, which reads whatever any noxenv wrote.
type Decoder struct {
	b []byte
	i int
}

// NewDecoder reads b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// End reports whether only white space is left.
func (d *Decoder) End() bool { return d.space() == len(d.b) }

// SkipValue reads any value as Skip does and returns its bytes, for
// encoding/json or a type's own decoder to read.
func (d *Decoder) SkipValue() ([]byte, bool) {
	start := d.space()
	if !d.Skip() {
		return nil, false
	}
	return d.b[start:d.i], true
}

// Fields reads an object whose keys are among keys, each at most once,
// field reading the value of keys[k].
func (d *Decoder) Fields(keys []string, field func(k int) bool) bool {
	var seen uint
	more, ok := d.open('{', '}')
	for ; more; more, ok = d.more('}') {
		key, isKey := d.raw()
		if !isKey || !d.next(':') {
			return false
		}
		k := keyIndex(keys, key)
		bit := uint(1) << max(k, 0)
		if k < 0 || seen&bit != 0 || !field(k) {
			return false
		}
		seen |= bit
	}
	return ok
}

// keyIndex returns the index of key in keys, or -1.
func keyIndex(keys []string, key []byte) int {
	for k, s := range keys {
		if s == string(key) {
			return k
		}
	}
	return -1
}

// space skips white space and returns where the next token starts.
func (d *Decoder) space() int {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return d.i
		}
	}
	return d.i
}

// next consumes c, the next token.
func (d *Decoder) next(c byte) bool {
	if d.space() < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// open consumes open, the start of an object or an array, and an
// immediate close; more reports whether an element follows.
func (d *Decoder) open(open, close byte) (more, ok bool) {
	if !d.next(open) {
		return false, false
	}
	return !d.next(close), true
}

// more consumes what follows an element of an object or an array closed
// by close: a comma (more is true: another element follows) or close.
func (d *Decoder) more(close byte) (more, ok bool) {
	if d.space() < len(d.b) {
		switch d.b[d.i] {
		case ',':
			d.i++
			return true, true
		case close:
			d.i++
			return false, true
		}
	}
	return false, false
}

// Array reads an array, elem reading each element.
func (d *Decoder) Array(elem func() bool) bool {
	more, ok := d.open('[', ']')
	for ; more; more, ok = d.more(']') {
		if !elem() {
			return false
		}
	}
	return ok
}

// Str reads a string.
func (d *Decoder) Str() (string, bool) {
	start := d.space()
	if s, ok := d.raw(); ok {
		return string(s), true
	}
	// An escape (encoding/json writes <, > and & so): encoding/json
	// reads the string alone.
	d.i = start
	if d.i == len(d.b) || d.b[d.i] != '"' || !d.skipString() {
		return "", false
	}
	var s string
	return s, json.Unmarshal(d.b[start:d.i], &s) == nil
}

// Strs reads an array of strings; an empty array is an empty slice.
func (d *Decoder) Strs() ([]string, bool) {
	l := []string{}
	ok := d.Array(func() bool {
		s, ok := d.Str()
		l = append(l, s)
		return ok
	})
	return l, ok
}

// raw reads a string without escapes, of valid UTF-8, returning its bytes
// in b.
func (d *Decoder) raw() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start := d.i
	if end := start + plainRun(d.b[start:]); end < len(d.b) && d.b[end] == '"' {
		d.i = end + 1
		return d.b[start:end], true
	}
	n := bytes.IndexByte(d.b[start:], '"')
	if n < 0 {
		return nil, false
	}
	s := d.b[start : start+n]
	d.i += n + 1
	var class byte
	for _, c := range s {
		class |= strByte[c]
	}
	if class&strSpecial != 0 {
		return nil, false
	}
	return s, utf8.Valid(s)
}

// plainRun returns the length of the run of bytes at the start of s that
// stand for themselves in a string (ASCII, not a quote, an escape or a
// control character): strings end at the byte after it when it is a
// quote. It looks at eight bytes at a time: most strings are plain.
func plainRun(s []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := 0
	for ; len(s)-n >= 8; n += 8 {
		x := binary.LittleEndian.Uint64(s[n:])
		q, esc := x^ones*'"', x^ones*'\\'
		// A byte of x below 0x20, a quote or a backslash (a zero byte of
		// q or esc), or a byte of 0x80 and above sets its high bit in
		// m. A borrow can set the high bit of a byte only above such a
		// byte, so the lowest set is the first such byte.
		if m := ((x-ones*0x20)&^x | (q-ones)&^q | (esc-ones)&^esc | x) & highs; m != 0 {
			return n + bits.TrailingZeros64(m)/8
		}
	}
	for n < len(s) && strByte[s[n]] == 0 {
		n++
	}
	return n
}

// The classes of a byte in a JSON string, strByte[c]: 0 for ASCII that
// stands for itself.
const (
	strNonASCII = 1 << iota // part of a multi-byte UTF-8 sequence
	strSpecial              // a quote, an escape or a control character
)

// strByte classes each byte value, so that a string's bytes are checked
// without a branch each: manifests and records are mostly strings.
var strByte = func() (t [256]byte) {
	for c := range 0x20 {
		t[c] = strSpecial
	}
	t['"'], t['\\'] = strSpecial, strSpecial
	for c := utf8.RuneSelf; c < len(t); c++ {
		t[c] = strNonASCII
	}
	return t
}()

// Integer reads a number that is an int: an optional minus sign and
// digits, without leading zeros.
func (d *Decoder) Integer() (int, bool) {
	start := d.space()
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	if d.i == digits || (d.b[digits] == '0' && d.i > digits+1) {
		return 0, false
	}
	n, err := strconv.Atoi(string(d.b[start:d.i]))
	return n, err == nil
}

// Boolean reads true or false.
func (d *Decoder) Boolean() (bool, bool) {
	switch {
	case d.literal("true"):
		return true, true
	case d.literal("false"):
		return false, true
	}
	return false, false
}

// literal consumes the word w.
func (d *Decoder) literal(w string) bool {
	start := d.space()
	if len(d.b)-start < len(w) || string(d.b[start:start+len(w)]) != w {
		return false
	}
	d.i += len(w)
	return true
}

// Skip reads any value, checking it as encoding/json would, and keeps
// nothing of it. Nested values are read in one loop, the closing byte of
// each object or array open on a stack: reusing a generation skips its
// members, most of its manifest.
func (d *Decoder) Skip() bool {
	var stack [16]byte
	open := stack[:0]
	for {
		// A value.
		if d.space() == len(d.b) {
			return false
		}
		var ok bool
		switch c := d.b[d.i]; {
		case c == '{' || c == '[':
			close := byte('}')
			if c == '[' {
				close = ']'
			}
			var more bool
			if more, ok = d.open(c, close); more {
				if close == '}' && !d.skipKey() {
					return false
				}
				open = append(open, close)
				continue
			}
		case c == '"':
			ok = d.skipString()
		case c == 't':
			ok = d.literal("true")
		case c == 'f':
			ok = d.literal("false")
		case c == 'n':
			ok = d.literal("null")
		case c == '-' || c >= '0' && c <= '9':
			ok = d.skipNumber()
		}
		// What follows it: the next element of the innermost object or
		// array open, or their ends.
		for ok {
			if len(open) == 0 {
				return true
			}
			close := open[len(open)-1]
			var more bool
			if more, ok = d.more(close); more {
				ok = close == ']' || d.skipKey()
				break
			}
			open = open[:len(open)-1]
		}
		if !ok {
			return false
		}
	}
}

// skipKey reads a key of an object and the colon after it.
func (d *Decoder) skipKey() bool {
	return d.space() < len(d.b) && d.b[d.i] == '"' && d.skipString() && d.next(':')
}

// skipString reads a string, escapes included.
func (d *Decoder) skipString() bool {
	d.i++ // the opening quote
	for {
		d.i += plainRun(d.b[d.i:])
		if d.i == len(d.b) {
			return false
		}
		c := d.b[d.i]
		d.i++
		switch {
		case c == '"':
			return true
		case c >= utf8.RuneSelf:
			// encoding/json reads any byte sequence, invalid UTF-8 as
			// U+FFFD.
		case c < 0x20:
			return false
		default: // a backslash
			if d.i == len(d.b) {
				return false
			}
			e := d.b[d.i]
			d.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(d.b)-d.i < 4 {
					return false
				}
				for _, h := range d.b[d.i : d.i+4] {
					if !isHex(h) {
						return false
					}
				}
				d.i += 4
			default:
				return false
			}
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// skipNumber reads a JSON number.
func (d *Decoder) skipNumber() bool {
	digits := func() int {
		start := d.i
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
		}
		return d.i - start
	}
	if d.b[d.i] == '-' {
		d.i++
	}
	start := d.i
	n := digits()
	if n == 0 || (n > 1 && d.b[start] == '0') {
		return false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
