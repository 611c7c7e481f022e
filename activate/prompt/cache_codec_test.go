package prompt

import (
	"reflect"
	"testing"
)

// A record comes back as written, bytes that are not UTF-8 included.
func TestCachedRoundTrip(t *testing.T) {
	unset := "x\xff"
	c := &CacheRecord{
		Content: "0123abcd",
		Read:    map[string]*string{"HOME": &unset, "MISSING": nil},
		Set:     map[string]string{"PATH": "/gen/bin:/usr/bin", "RAW": "\xfe\x00z"},
		Unset:   []string{"OLD"},
		Watched: []string{"/p/.noxprofile", "/p/.env"},
		Deps:    map[string]string{"/p/.noxprofile": "-rw-r--r-- 1 sha256:00", "/p/.env": "absent"},
		GenDir:  "/state/generations/abc",
		Root:    "/state/generations/abc",
	}
	got, err := UnmarshalCacheRecord(c.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("got %+v\nwant %+v", got, c)
	}
}

// Any bytes are a record or an error, never a panic; a record read
// writes back to the same bytes.
func FuzzUnmarshalCached(f *testing.F) {
	v := "v"
	f.Add((&CacheRecord{Content: "c", Read: map[string]*string{"A": &v, "B": nil}, Set: map[string]string{"A": "1"},
		Unset: []string{"C"}, Watched: []string{"/a", "/ab"}, Deps: map[string]string{"/a": "absent"}, GenDir: "/g", Root: "/g"}).Marshal())
	f.Add([]byte{recordFormat})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := UnmarshalCacheRecord(data)
		if err != nil {
			return
		}
		again, err := UnmarshalCacheRecord(c.Marshal())
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Errorf("%+v does not read back: %+v, %v", c, again, err)
		}
	})
}
