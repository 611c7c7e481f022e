package profile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/noxenv/noxenv/store"
)

// manifestSamples are manifests as noxenv writes them (compact) and as
// older noxenv or a person may have (indented, keys reordered), which the
// decoder reads itself, and forms it leaves to encoding/json.
func manifestSamples(t testing.TB) (own, other [][]byte) {
	t.Helper()
	m := &Manifest{
		Members: []Member{{Name: "a", Version: "1.0", Request: "a@>=1", ID: "abc-a-1.0", Priority: 3}},
		Entries: []ManifestEntry{
			{ID: "abc-a-1.0", Path: "/s/abc-a-1.0", Name: "a", Version: "1.0", Priority: 3,
				References: []string{"def-dep-2"}, Env: []store.EnvSetting{{Var: "X", Op: store.EnvSet, Value: "${prefix}/x"}}},
			{ID: "def-dep-2", Path: "/s/def-dep-2", Name: "dép", Version: "2", Priority: -1, Dependency: true, References: []string{}},
			{ID: "plain-1", Path: "/s/plain-1", Name: "plain", Version: "1", Priority: 5, Plain: true},
		},
	}
	compact, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	indented, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	own = [][]byte{
		compact,
		indented,
		[]byte(`{"entries":[],"members":[]}`),
		[]byte(`{"members":[{"name":"a\"b","priority":1e3,"x":[null,true,false,{}]}]}`),
		[]byte(` {"entries":[{"priority":0,"path":"/p","id":"i","env":null}]} `),
		[]byte(`{"entries":[{"id":"x","env":[{"var":"A\u00e9","op":"prepend","value":"\\"}]}]}`),
	}
	other = [][]byte{
		[]byte(`{"entries":[{"id":"a\"b"}]}`),       // an escape in a kept value
		[]byte(`{"Entries":[{"id":"a"}]}`),          // encoding/json ignores case
		[]byte(`{"entries":[{"ID":"a"}]}`),          // likewise
		[]byte(`{"entries":[{"id":"a","id":"b"}]}`), // a key twice
		[]byte(`{"entries":[{"references":null}]}`), // null
		[]byte(`{"entries":[{"priority":5.0}]}`),    // not an int
		[]byte(`{"entries":[{"priority":99999999999999999999}]}`),
		[]byte("{\"entries\":[{\"id\":\"\xff\"}]}"),     // not UTF-8
		[]byte(`{"entries":[{"id":"a"}]`),               // cut short
		[]byte(`{"entries":[{"id":"a"}]} x`),            // trailing bytes
		[]byte(`{"members":[01],"entries":[]}`),         // not JSON
		[]byte("{\"members\":\"\x01\",\"entries\":[]}"), // a control byte
		[]byte(`{"entries":[],"entries":[{"id":"a"}]}`), // a key twice
		[]byte(`null`),
	}
	return own, other
}

// The decoder reads what encoding/json reads, or leaves it to it.
func TestDecodeEntries(t *testing.T) {
	own, other := manifestSamples(t)
	for _, b := range own {
		got, ok := decodeEntries(b)
		if !ok {
			t.Errorf("%s: not decoded", b)
			continue
		}
		var want struct{ Entries []ManifestEntry }
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(got, want.Entries) {
			t.Errorf("%s:\n got %#v\nwant %#v", b, got, want.Entries)
		}
	}
	for _, b := range other {
		if got, ok := decodeEntries(b); ok {
			t.Errorf("%s: decoded as %#v, want it left to encoding/json", b, got)
		}
	}
}

// A generation whose manifest the decoder leaves to encoding/json (a path
// with &, which encoding/json writes escaped) is reused all the same.
func TestReuseEscapedManifest(t *testing.T) {
	sd := filepath.Join(t.TempDir(), "R&D")
	a := testEntry(t, sd, "a", "1.0", map[string]string{"bin/a": "a"})
	gens := t.TempDir()
	g, err := build(gens, []Member{member(a, 5)}, []*store.Entry{a})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(g.Dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := decodeEntries(b); ok {
		t.Fatalf("the decoder reads %s itself", b)
	}
	again := reuse(&store.SearchPath{}, g.Dir)
	if again == nil || len(again.Entries) != 1 || again.Entries[0].Path != a.Path {
		t.Fatalf("reuse = %+v", again)
	}
}

func FuzzDecodeEntries(f *testing.F) {
	own, other := manifestSamples(f)
	for _, b := range append(own, other...) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := decodeEntries(b)
		if !ok {
			return
		}
		var want struct{ Entries []ManifestEntry }
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q: decoded, but encoding/json says %v", b, err)
		}
		if !reflect.DeepEqual(got, want.Entries) {
			t.Fatalf("%q:\n got %#v\nwant %#v", b, got, want.Entries)
		}
	})
}
