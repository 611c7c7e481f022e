package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
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
	return d.object(func(key []byte) bool {
		k := slices.Index(keys, string(key))
		bit := uint(1) << max(k, 0)
		if k < 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		return field(k)
	})
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

// object reads an object, handing each key to field, which reads its
// value.
func (d *Decoder) object(field func(key []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		key, ok := d.raw()
		if !ok || !d.next(':') || !field(key) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// Array reads an array, elem reading each element.
func (d *Decoder) Array(elem func() bool) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.next(']') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
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
	n := bytes.IndexByte(d.b[d.i:], '"')
	if n < 0 {
		return nil, false
	}
	s := d.b[d.i : d.i+n]
	d.i += n + 1
	if asciiPlain(s) {
		return s, true
	}
	var class byte
	for _, c := range s {
		class |= strByte[c]
	}
	if class&strSpecial != 0 {
		return nil, false
	}
	return s, class == 0 || utf8.Valid(s)
}

// asciiPlain reports whether s, the inside of a string up to its closing
// quote, holds only ASCII that stands for itself (no escape, no control
// character), looking at eight bytes at a time.
func asciiPlain(s []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var bits uint64
	for ; len(s) >= 8; s = s[8:] {
		x := binary.LittleEndian.Uint64(s)
		esc := x ^ ones*'\\'
		// A byte of x below 0x20, a backslash (a zero byte of esc), or a
		// byte of 0x80 and above sets its high bit in bits, or another's.
		bits |= (x-ones*0x20)&^x | (esc-ones)&^esc | x
	}
	for _, c := range s {
		if strByte[c] != 0 {
			return false
		}
	}
	return bits&highs == 0
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
// nothing of it.
func (d *Decoder) Skip() bool {
	if d.space() == len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(func([]byte) bool { return d.Skip() })
	case c == '[':
		return d.Array(d.Skip)
	case c == '"':
		return d.skipString()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.skipNumber()
	}
	return false
}

// skipString reads a string, escapes included.
func (d *Decoder) skipString() bool {
	d.i++ // the opening quote
	if n := bytes.IndexByte(d.b[d.i:], '"'); n >= 0 && asciiPlain(d.b[d.i:d.i+n]) {
		d.i += n + 1
		return true
	}
	for d.i < len(d.b) {
		for d.i < len(d.b) && strByte[d.b[d.i]] != strSpecial {
			d.i++
		}
		if d.i == len(d.b) {
			return false
		}
		c := d.b[d.i]
		d.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
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
	return false
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
