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
// in a key, a key of another case or twice or unknown, a null, a malformed
// file) ok is false and the caller decodes with encoding/json, which reads
// whatever any noxenv wrote.
func decodeEntries(b []byte) (entries []ManifestEntry, ok bool) {
	d := &manifestDecoder{b: b}
	ok = d.fields(manifestKeys[:], func(k int) bool {
		if k == 0 { // members
			return d.skip()
		}
		entries = []ManifestEntry{}
		return d.array(func() bool {
			var me ManifestEntry
			if !d.fields(entryKeys[:], func(k int) bool { return d.entryField(&me, k) }) {
				return false
			}
			entries = append(entries, me)
			return true
		})
	})
	if !ok || d.space() != len(b) {
		return nil, false
	}
	return entries, true
}

// decodeRecord reads a profile's record of a generation as json.Unmarshal
// does, without reflection, as decodeEntries reads a manifest: every
// change of a profile reads the current one.
func decodeRecord(b []byte) (r record, ok bool) {
	d := &manifestDecoder{b: b}
	ok = d.fields(recordKeys[:], func(k int) bool {
		var ok bool
		switch k {
		case 0: // time, in the form of time.Time's own decoder
			start := d.space()
			return d.skip() && json.Unmarshal(d.b[start:d.i], &r.Time) == nil
		case 1:
			r.Members, ok = d.members()
		case 2:
			r.Added, ok = d.members()
		case 3:
			r.Removed, ok = d.members()
		}
		return ok
	})
	if !ok || d.space() != len(b) {
		return record{}, false
	}
	return r, true
}

// The keys of a manifest, its entries, a record and its members.
var (
	manifestKeys = [...]string{"members", "entries"}
	entryKeys    = [...]string{"id", "path", "name", "version", "priority", "dependency", "plain", "references", "env"}
	recordKeys   = [...]string{"time", "members", "added", "removed"}
	memberKeys   = [...]string{"name", "version", "request", "id", "priority"}
)

// manifestDecoder reads b from i on.
type manifestDecoder struct {
	b []byte
	i int
}

// entryField reads the value of entryKeys[k] into me.
func (d *manifestDecoder) entryField(me *ManifestEntry, k int) bool {
	var ok bool
	switch k {
	case 0:
		me.ID, ok = d.str()
	case 1:
		me.Path, ok = d.str()
	case 2:
		me.Name, ok = d.str()
	case 3:
		me.Version, ok = d.str()
	case 4:
		me.Priority, ok = d.integer()
	case 5:
		me.Dependency, ok = d.boolean()
	case 6:
		me.Plain, ok = d.boolean()
	case 7:
		refs := []string{}
		ok = d.array(func() bool {
			s, ok := d.str()
			refs = append(refs, s)
			return ok
		})
		me.References = refs
	case 8:
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

// members reads an array of members.
func (d *manifestDecoder) members() ([]Member, bool) {
	ms := []Member{}
	ok := d.array(func() bool {
		var m Member
		ok := d.fields(memberKeys[:], func(k int) bool {
			var ok bool
			switch k {
			case 0:
				m.Name, ok = d.str()
			case 1:
				m.Version, ok = d.str()
			case 2:
				m.Request, ok = d.str()
			case 3:
				m.ID, ok = d.str()
			case 4:
				m.Priority, ok = d.integer()
			}
			return ok
		})
		ms = append(ms, m)
		return ok
	})
	return ms, ok
}

// fields reads an object whose keys are among keys, each at most once,
// field reading the value of keys[k].
func (d *manifestDecoder) fields(keys []string, field func(k int) bool) bool {
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

// str reads a string.
func (d *manifestDecoder) str() (string, bool) {
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

// raw reads a string without escapes, of valid UTF-8, returning its bytes
// in b.
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
