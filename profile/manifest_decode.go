package profile

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// decodeEntries reads the entries of a manifest as json.Unmarshal into
// struct{ Entries []ManifestEntry } does, without reflection: reusing a
// generation reads its manifest on every profile change and activation,
// and encoding/json spent most of that time. It knows the form noxenv
// writes (any whitespace, keys in any order); for anything else (an escape
// in a value it keeps, a key of another case or twice, a null, a malformed
// file) ok is false and the caller decodes with encoding/json, which reads
// whatever any noxenv wrote.
func decodeEntries(b []byte) (entries []ManifestEntry, ok bool) {
	d := &manifestDecoder{b: b}
	found := false
	ok = d.object(func(key []byte) bool {
		switch {
		case string(key) == "members":
			return d.skip()
		case string(key) != "entries" || found:
			return false
		}
		found = true
		entries = []ManifestEntry{}
		return d.array(func() bool {
			var me ManifestEntry
			var seen uint
			if !d.object(func(key []byte) bool {
				k := slices.Index(entryKeys[:], string(key))
				bit := uint(1) << max(k, 0)
				if k < 0 || seen&bit != 0 {
					return false
				}
				seen |= bit
				return d.entryField(&me, entryKeys[k])
			}) {
				return false
			}
			entries = append(entries, me)
			return true
		})
	})
	if !ok || d.space() != len(b) {
		return nil, false
	}
	if !found {
		entries = nil
	}
	return entries, true
}

// manifestDecoder reads b from i on.
type manifestDecoder struct {
	b []byte
	i int
}

// entryKeys are the keys of a manifest entry.
var entryKeys = [...]string{"id", "path", "name", "version", "priority", "dependency", "plain", "references", "env"}

// entryField reads the value of key into me.
func (d *manifestDecoder) entryField(me *ManifestEntry, key string) bool {
	var ok bool
	switch key {
	case "id":
		me.ID, ok = d.str()
	case "path":
		me.Path, ok = d.str()
	case "name":
		me.Name, ok = d.str()
	case "version":
		me.Version, ok = d.str()
	case "priority":
		me.Priority, ok = d.integer()
	case "dependency":
		me.Dependency, ok = d.boolean()
	case "plain":
		me.Plain, ok = d.boolean()
	case "references":
		refs := []string{}
		ok = d.array(func() bool {
			s, ok := d.str()
			refs = append(refs, s)
			return ok
		})
		me.References = refs
	case "env":
		// Rare, and its settings have types of their own.
		start := d.space()
		if !d.skip() {
			return false
		}
		me.Env = nil
		return json.Unmarshal(d.b[start:d.i], &me.Env) == nil
	}
	return ok
}

// space skips white space and returns where the next token starts.
func (d *manifestDecoder) space() int {
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
func (d *manifestDecoder) next(c byte) bool {
	if d.space() < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object reads an object, handing each key to field, which reads its
// value.
func (d *manifestDecoder) object(field func(key []byte) bool) bool {
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

// array reads an array, elem reading each element.
func (d *manifestDecoder) array(elem func() bool) bool {
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

// str reads a string without escapes, of valid UTF-8.
func (d *manifestDecoder) str() (string, bool) {
	s, ok := d.raw()
	return string(s), ok
}

// raw is str, the string's bytes in b.
func (d *manifestDecoder) raw() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	n := bytes.IndexByte(d.b[d.i:], '"')
	if n < 0 {
		return nil, false
	}
	s := d.b[d.i : d.i+n]
	d.i += n + 1
	ascii := true
	for _, c := range s {
		if c < 0x20 || c == '\\' {
			return nil, false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	return s, ascii || utf8.Valid(s)
}

// integer reads a number that is an int: an optional minus sign and
// digits, without leading zeros.
func (d *manifestDecoder) integer() (int, bool) {
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

// boolean reads true or false.
func (d *manifestDecoder) boolean() (bool, bool) {
	switch {
	case d.literal("true"):
		return true, true
	case d.literal("false"):
		return false, true
	}
	return false, false
}

// literal consumes the word w.
func (d *manifestDecoder) literal(w string) bool {
	start := d.space()
	if len(d.b)-start < len(w) || string(d.b[start:start+len(w)]) != w {
		return false
	}
	d.i += len(w)
	return true
}

// skip reads any value, checking it as encoding/json would, and keeps
// nothing of it.
func (d *manifestDecoder) skip() bool {
	if d.space() == len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(func([]byte) bool { return d.skip() })
	case c == '[':
		return d.array(d.skip)
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
func (d *manifestDecoder) skipString() bool {
	d.i++ // the opening quote
	for d.i < len(d.b) {
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
func (d *manifestDecoder) skipNumber() bool {
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
