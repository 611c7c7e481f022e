package profile

import (
	"encoding/json"
	"time"

	"github.com/noxenv/noxenv/store"
)

// decodeGeneration reads the generation at dir from its manifest b, as
// generationOf makes it from json.Unmarshal's reading of the entries,
// with a store.Decoder: reusing a generation reads its manifest on every
// profile change and activation, and encoding/json spent most of that
// time. The members are the caller's, and left out. When ok is false the
// caller decodes with encoding/json.
func decodeGeneration(dir string, b []byte) (g *Generation, ok bool) {
	g = &Generation{Dir: dir}
	d := store.NewDecoder(b)
	ok = d.Fields(manifestKeys[:], func(k int) bool {
		if k == 0 { // members
			return d.Skip()
		}
		return d.Array(func() bool {
			var me ManifestEntry
			if !d.Fields(entryKeys[:], func(k int) bool { return entryField(d, &me, k) }) {
				return false
			}
			g.add(me)
			return true
		})
	})
	if !ok || !d.End() {
		return nil, false
	}
	return g, true
}

// decodeEntryPaths reads the paths of the entries of the manifest b, and
// nothing else: a profile's change checks that the stores still hold them
// and needs no more of a generation it reuses. When ok is false the
// caller reads the manifest whole.
func decodeEntryPaths(b []byte) (paths []string, ok bool) {
	d := store.NewDecoder(b)
	ok = d.Fields(manifestKeys[:], func(k int) bool {
		if k == 0 { // members
			return d.Skip()
		}
		return d.Array(func() bool {
			var p string // an entry without one has the empty path
			ok := d.Fields(entryKeys[:], func(k int) bool {
				if k != 1 { // path
					return d.Skip()
				}
				var ok bool
				p, ok = d.Str()
				return ok
			})
			paths = append(paths, p)
			return ok
		})
	})
	return paths, ok && d.End()
}

// decodeRecord reads a profile's record of a generation as json.Unmarshal
// does, without reflection, as decodeGeneration reads a manifest: every
// change of a profile reads the current one.
func decodeRecord(b []byte) (r record, ok bool) {
	d := store.NewDecoder(b)
	ok = d.Fields(recordKeys[:], func(k int) bool {
		var ok bool
		switch k {
		case 0: // time, in the form of time.Time's own decoder
			v, ok := d.SkipValue()
			var t time.Time // not r, which would go to the heap
			ok = ok && json.Unmarshal(v, &t) == nil
			r.Time = t
			return ok
		case 1:
			r.Members, ok = members(d)
		case 2:
			r.Added, ok = members(d)
		case 3:
			r.Removed, ok = members(d)
		}
		return ok
	})
	if !ok || !d.End() {
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

// entryField reads the value of entryKeys[k] into me.
func entryField(d *store.Decoder, me *ManifestEntry, k int) bool {
	var ok bool
	switch k {
	case 0:
		me.ID, ok = d.Str()
	case 1:
		me.Path, ok = d.Str()
	case 2:
		me.Name, ok = d.Str()
	case 3:
		me.Version, ok = d.Str()
	case 4:
		me.Priority, ok = d.Integer()
	case 5:
		me.Dependency, ok = d.Boolean()
	case 6:
		me.Plain, ok = d.Boolean()
	case 7:
		me.References, ok = d.Strs()
	case 8:
		// Rare, and its settings have types of their own. Read into a
		// variable of its own, so that me stays off the heap.
		v, ok := d.SkipValue()
		var env []store.EnvSetting
		ok = ok && json.Unmarshal(v, &env) == nil
		me.Env = env
		return ok
	}
	return ok
}

// members reads an array of members.
func members(d *store.Decoder) ([]Member, bool) {
	ms := []Member{}
	ok := d.Array(func() bool {
		var m Member
		ok := d.Fields(memberKeys[:], func(k int) bool {
			var ok bool
			switch k {
			case 0:
				m.Name, ok = d.Str()
			case 1:
				m.Version, ok = d.Str()
			case 2:
				m.Request, ok = d.Str()
			case 3:
				m.ID, ok = d.Str()
			case 4:
				m.Priority, ok = d.Integer()
			}
			return ok
		})
		ms = append(ms, m)
		return ok
	})
	return ms, ok
}
