package profile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/internal/testutil"
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
		[]byte(`{"entries":[{"id":"a\"b\u0026\ud83d\ude00\u00e9\/"}]}`),
		[]byte("{\"entries\":[{\"id\":\"\xff\\n\"}]}"),
		[]byte(`{"members":[{"request":"a\u0026b"}]}`),
		[]byte(`{"entries":[{"id":"x","env":[{"var":"A\u00e9","op":"prepend","value":"\\"}]}]}`),
	}
	other = [][]byte{
		[]byte(`{"Entries":[{"id":"a"}]}`),             // encoding/json ignores case
		[]byte(`{"entries":[{"ID":"a"}]}`),             // likewise
		[]byte(`{"entries":[{"i\u0064":"a"}]}`),        // an escape in a key
		[]byte("{\"entries\":[{\"id\":\"\x01\\n\"}]}"), // a control byte
		[]byte(`{"entries":[{"id":"a","id":"b"}]}`),    // a key twice
		[]byte(`{"entries":[{"references":null}]}`),    // null
		// Nested deeper than encoding/json reads, in the skipped members.
		[]byte(`{"members":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `,"entries":[]}`),
		[]byte(`{"entries":[{"priority":5.0}]}`), // not an int
		[]byte(`{"entries":[{"priority":99999999999999999999}]}`),
		[]byte(`{"entries":[{"id":"a"}]`),               // cut short
		[]byte(`{"entries":[{"id":"a"}]} x`),            // trailing bytes
		[]byte(`{"members":[01],"entries":[]}`),         // not JSON
		[]byte("{\"members\":\"\x01\",\"entries\":[]}"), // a control byte
		[]byte(`{"entries":[],"entries":[{"id":"a"}]}`), // a key twice
		[]byte(`null`),
	}
	return own, other
}

// entriesDecoder is decodeGeneration, against the generation of
// encoding/json's reading of a manifest's entries.
var entriesDecoder = testutil.Decoder[*Generation]{
	Decode: func(b []byte) (*Generation, bool) { return decodeGeneration("/g", b) },
	JSON: func(b []byte) (*Generation, error) {
		var m struct{ Entries []ManifestEntry }
		err := json.Unmarshal(b, &m)
		return generationOf("/g", &Manifest{Entries: m.Entries}), err
	},
	Samples: manifestSamples,
}

// The decoder reads what encoding/json reads, or leaves it to it.
func TestDecodeEntries(t *testing.T) { entriesDecoder.Test(t) }

// pathsDecoder is decodeEntryPaths, against encoding/json's reading of the
// entries' paths alone.
var pathsDecoder = testutil.Decoder[[]string]{
	Decode: decodeEntryPaths,
	JSON: func(b []byte) ([]string, error) {
		var m struct{ Entries []struct{ Path string } }
		err := json.Unmarshal(b, &m)
		var paths []string
		for _, e := range m.Entries {
			paths = append(paths, e.Path)
		}
		return paths, err
	},
	Samples: func(t testing.TB) (own, other [][]byte) {
		own, other = manifestSamples(t)
		// What the entries' other fields alone make the entries' decoder
		// leave, this one reads: a null, a number that is no int.
		others := func(b []byte) bool {
			return bytes.Contains(b, []byte(`{"references":null}`)) || bytes.Contains(b, []byte(`{"priority":`))
		}
		for _, b := range other {
			if others(b) {
				own = append(own, b)
			}
		}
		return own, slices.DeleteFunc(other, others)
	},
}

// The paths' decoder reads what encoding/json reads, or leaves it to it.
func TestDecodeEntryPaths(t *testing.T) { pathsDecoder.Test(t) }

func FuzzDecodeEntryPaths(f *testing.F) { pathsDecoder.Fuzz(f) }

// A generation whose manifest the decoder reads with an escape (a path
// with &, which encoding/json writes escaped), or leaves to encoding/json
// (keys of another case), is reused all the same.
func TestReuseEscapedManifest(t *testing.T) {
	sd := filepath.Join(t.TempDir(), "R&D")
	a := testEntry(t, sd, "a", "1.0", map[string]string{"bin/a": "a"})
	gens := t.TempDir()
	g, err := build(gens, []Member{member(a, 5)}, []*store.Entry{a}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(g.Dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`R\u0026D`)) {
		t.Fatalf("the manifest holds no escape: %s", b)
	}
	for _, m := range [][]byte{b, bytes.ReplaceAll(b, []byte(`"path"`), []byte(`"PATH"`))} {
		testutil.WriteFiles(t, g.Dir, map[string]string{ManifestFile: string(m)})
		again, paths := reuse(&store.SearchPath{}, g.Dir)
		if again == nil || len(again.Entries) != 1 || again.Entries[0].Path != a.Path || !slices.Equal(paths, []string{a.Path}) {
			t.Fatalf("%s: reuse = %+v, %q", m, again, paths)
		}
		dir, paths := reuseDir(&store.SearchPath{}, g.Dir)
		if dir == nil || dir.Dir != g.Dir || !slices.Equal(paths, []string{a.Path}) {
			t.Fatalf("%s: reuseDir = %+v, %q", m, dir, paths)
		}
	}
}

func FuzzDecodeEntries(f *testing.F) { entriesDecoder.Fuzz(f) }

// recordSamples are records as noxenv writes them and others, as
// manifestSamples.
func recordSamples(t testing.TB) (own, other [][]byte) {
	t.Helper()
	a := Member{Name: "a", Version: "1.0", Request: "a@>=1", ID: "abc-a-1.0", Priority: 3}
	b := Member{Name: "bé", Version: "2", Request: "bé", ID: "def-bé-2", Priority: -5}
	r := record{Time: time.Date(2026, 12, 7, 1, 2, 3, 456789, time.UTC), Members: []Member{a, b}, Added: []Member{b}}
	compact, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	indented, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	empty, err := json.Marshal(record{Members: []Member{}})
	if err != nil {
		t.Fatal(err)
	}
	own = [][]byte{
		compact,
		indented,
		empty,
		[]byte(`{"members":[{"priority":7}],"time":"2026-01-02T03:04:05+01:00","removed":[]}`),
		[]byte(`{"members":[{"request":"a\u003e=1\u0026"}]}`),
	}
	other = [][]byte{
		[]byte(`{"time":"yesterday","members":[]}`),
		[]byte(`{"members":[{"name":"a","Name":"b"}]}`),
		[]byte(`{"members":[{"name":"a","entry":{}}]}`),
		[]byte(`{"members":null}`),
		[]byte(`{"members":[],"members":[]}`),
		[]byte(`{"members":[{"priority":"5"}]}`),
	}
	return own, other
}

// recordDecoder is decodeRecord, against encoding/json's reading of a
// record.
var recordDecoder = testutil.Decoder[record]{
	Decode:  decodeRecord,
	JSON:    testutil.Unmarshal[record],
	Samples: recordSamples,
}

func TestDecodeRecord(t *testing.T) { recordDecoder.Test(t) }

func FuzzDecodeRecord(f *testing.F) { recordDecoder.Fuzz(f) }
