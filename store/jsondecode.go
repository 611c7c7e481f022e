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
	// depth is how many objects and arrays Fields and Array have open.
	depth int
}

// maxDepth is encoding/json's: it refuses values nested deeper.
const maxDepth = 10000

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

// Fields reads an object whose keys are among keys (words of plain
// ASCII), each at most once, field reading the value of keys[k].
func (d *Decoder) Fields(keys []string, field func(k int) bool) bool {
	var seen uint
	k := -1
	d.depth++
	defer func() { d.depth-- }()
	more, ok := d.open('{', '}')
	for ; more; more, ok = d.more('}') {
		// The key after the last is tried first: noxenv writes them in
		// the order of keys.
		if k = d.key(keys, k+1); k < 0 || !d.next(':') {
			return false
		}
		bit := uint(1) << k
		if seen&bit != 0 || !field(k) {
			return false
		}
		seen |= bit
	}
	return ok
}

// key reads a key and returns its index in keys, or -1, looking at
// keys[try] first.
func (d *Decoder) key(keys []string, try int) int {
	i := d.space()
	if try < len(keys) {
		// A key of keys is plain ASCII: the same bytes between quotes are
		// that key.
		k := keys[try]
		if end := i + 1 + len(k); end < len(d.b) && d.b[i] == '"' && d.b[end] == '"' && string(d.b[i+1:end]) == k {
			d.i = end + 1
			return try
		}
	}
	key, ok := d.raw()
	if !ok {
		return -1
	}
	for k, s := range keys {
		if s == string(key) {
			return k
		}
	}
	return -1
}

// space skips white space and returns where the next token starts.
func (d *Decoder) space() int {
	d.i = space(d.b, d.i)
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
	d.depth++
	defer func() { d.depth-- }()
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
		// A byte of x below 0x20, a quote or a backslash (a zero byte of
		// x^ones*'"' or x^ones*'\\'), or of 0x80 and above sets its high
		// bit in m. A borrow can set the high bit of a byte only above
		// such a byte, so the lowest set is the first such byte.
		if m := ((x - ones*0x20) | ((x ^ ones*'"') - ones) | ((x ^ ones*'\\') - ones) | x) & highs; m != 0 {
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
	i := literal(d.b, d.space(), w)
	if i < 0 {
		return false
	}
	d.i = i
	return true
}

// Skip reads any value, checking it as encoding/json would, and keeps
// nothing of it.
func (d *Decoder) Skip() bool {
	i := skip(d.b, d.i, maxDepth-d.depth)
	if i < 0 {
		return false
	}
	d.i = i
	return true
}

// skipString reads a string, escapes included.
func (d *Decoder) skipString() bool {
	i := skipString(d.b, d.i)
	if i < 0 {
		return false
	}
	d.i = i
	return true
}

// The functions below read the value at b[i:] as encoding/json would and
// return where it ends, or -1 when it is none, on local variables: Skip
// reads the members of a reused generation, most of its manifest.

// skip reads any value after white space, the values nested in it in one
// loop, with the closing byte of each object or array open on a stack,
// at most depth of them.
func skip(b []byte, i, depth int) int {
	var stack [16]byte
	open := stack[:0]
	for {
		// A value.
		if i = space(b, i); i == len(b) {
			return -1
		}
		switch c := b[i]; {
		case c == '"':
			i = skipString(b, i)
		case c == '{' || c == '[':
			if len(open) == depth {
				return -1
			}
			close := byte(']')
			if c == '{' {
				close = '}'
			}
			if i = space(b, i+1); i < len(b) && b[i] == close {
				i++
				break
			}
			open = append(open, close)
			if close == ']' {
				continue
			}
			if i = skipKey(b, i); i < 0 {
				return -1
			}
			continue
		case c == 't':
			i = literal(b, i, "true")
		case c == 'f':
			i = literal(b, i, "false")
		case c == 'n':
			i = literal(b, i, "null")
		case c == '-' || c >= '0' && c <= '9':
			i = skipNumber(b, i)
		default:
			return -1
		}
		// What follows it: the next element of the innermost object or
		// array open, or the ends of those it closes.
		for i >= 0 {
			if len(open) == 0 {
				return i
			}
			if i = space(b, i); i == len(b) {
				return -1
			}
			close := open[len(open)-1]
			if b[i] == ',' {
				if i++; close == '}' {
					i = skipKey(b, i)
				}
				break
			}
			if b[i] != close {
				return -1
			}
			i++
			open = open[:len(open)-1]
		}
		if i < 0 {
			return -1
		}
	}
}

// space skips white space.
func space(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// literal reads the word w.
func literal(b []byte, i int, w string) int {
	if len(b)-i < len(w) || string(b[i:i+len(w)]) != w {
		return -1
	}
	return i + len(w)
}

// skipKey reads a key of an object and the colon after it.
func skipKey(b []byte, i int) int {
	if i = space(b, i); i == len(b) || b[i] != '"' {
		return -1
	}
	if i = skipString(b, i); i < 0 {
		return -1
	}
	if i = space(b, i); i == len(b) || b[i] != ':' {
		return -1
	}
	return i + 1
}

// skipString reads the string at b[i], a quote.
func skipString(b []byte, i int) int {
	i++
	for {
		if i += plainRun(b[i:]); i == len(b) {
			return -1
		}
		c := b[i]
		i++
		switch {
		case c == '"':
			return i
		case c >= utf8.RuneSelf:
			// encoding/json reads any byte sequence, invalid UTF-8 as
			// U+FFFD.
		case c < 0x20:
			return -1
		default: // a backslash
			if i == len(b) {
				return -1
			}
			e := b[i]
			i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 4 {
					return -1
				}
				for _, h := range b[i : i+4] {
					if !isHex(h) {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// skipNumber reads the number at b[i].
func skipNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	start := i
	if i = digits(b, i); i == start || i > start+1 && b[start] == '0' {
		return -1
	}
	if i < len(b) && b[i] == '.' {
		start = i + 1
		if i = digits(b, start); i == start {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start = i
		if i = digits(b, start); i == start {
			return -1
		}
	}
	return i
}

// digits skips decimal digits.
func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
