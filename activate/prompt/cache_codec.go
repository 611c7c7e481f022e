package prompt

import (
	"errors"
	"maps"
	"slices"
)

// A cache record is written with the state's encoding (front-coded
// strings), not JSON: decoding JSON into a struct costs a fresh process
// about 0.2 ms of reflection on its first use, and a CacheRecord evaluation is
// the prompt's whole work at cd. Keys are written sorted, so that the
// record of the same result is the same bytes.
const recordFormat = 1

func (c *CacheRecord) Marshal() []byte {
	var e encoder
	e.byte(recordFormat)
	e.str(values, c.Content)
	e.uint(uint64(len(c.Read)))
	for _, k := range slices.Sorted(maps.Keys(c.Read)) {
		e.str(names, k)
		e.bool(c.Read[k] != nil)
		if v := c.Read[k]; v != nil {
			e.str(values, *v)
		}
	}
	e.uint(uint64(len(c.Set)))
	for _, k := range slices.Sorted(maps.Keys(c.Set)) {
		e.str(names, k)
		e.str(values, c.Set[k])
	}
	e.uint(uint64(len(c.Unset)))
	for _, k := range c.Unset {
		e.str(names, k)
	}
	e.strs(c.Watched)
	e.uint(uint64(len(c.Deps)))
	for _, p := range slices.Sorted(maps.Keys(c.Deps)) {
		e.str(paths, p)
		e.str(values, c.Deps[p])
	}
	e.str(paths, c.GenDir)
	e.str(paths, c.Root)
	return e.buf
}

func UnmarshalCacheRecord(data []byte) (*CacheRecord, error) {
	d := decoder{buf: data, front: true}
	if d.byte() != recordFormat {
		return nil, errors.New("unknown cache record format")
	}
	c := &CacheRecord{Content: d.str(values), Read: map[string]*string{}, Set: map[string]string{}, Deps: map[string]string{}}
	for n := d.count(); n > 0; n-- {
		k := d.str(names)
		if d.bool() {
			v := d.str(values)
			c.Read[k] = &v
		} else {
			c.Read[k] = nil
		}
	}
	for n := d.count(); n > 0; n-- {
		k := d.str(names)
		c.Set[k] = d.str(values)
	}
	for n := d.count(); n > 0; n-- {
		c.Unset = append(c.Unset, d.str(names))
	}
	c.Watched = d.strs()
	for n := d.count(); n > 0; n-- {
		p := d.str(paths)
		c.Deps[p] = d.str(values)
	}
	c.GenDir, c.Root = d.str(paths), d.str(paths)
	if d.err != nil {
		return nil, d.err
	}
	if len(d.buf) > 0 {
		return nil, errors.New("cache record: trailing bytes")
	}
	return c, nil
}
