package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/noxenv/noxenv/internal/testutil"
)

// infoSamples are entries' metadata as store add writes it (indented) and
// in other forms the decoder reads itself, and forms it leaves to
// encoding/json.
func infoSamples(t testing.TB) (own, other [][]byte) {
	t.Helper()
	info := Info{
		Name: "a", Version: "1.0", Hash: "sha256:" + "ab", Size: 1 << 40, Files: 3,
		References: []string{"def-dep-2", "ghi-x-1"},
		Env:        []EnvSetting{{Var: "X", Op: EnvPrepend, Value: "${prefix}/<x>"}},
		Added:      time.Date(2026, 12, 7, 2, 21, 29, 303203311, time.UTC),
	}
	indented, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	compact, err := json.Marshal(Info{Name: "b", Version: "2", References: []string{}, Env: []EnvSetting{}})
	if err != nil {
		t.Fatal(err)
	}
	own = [][]byte{
		indented,
		compact,
		[]byte(`{}`),
		[]byte(`{"added":"2026-12-07T02:21:29+01:00","files":-1,"name":"d\u00e9p","env":null}`),
		[]byte(`{"added":null,"version":"1\"2","hash":"\ud83d\ude00"}`),
		[]byte("{\"name\":\"\xff\"}"),
		[]byte(` {"references":[], "size": 0} `),
	}
	other = [][]byte{
		[]byte(`{"Name":"a"}`),            // encoding/json ignores case
		[]byte(`{"n\u0061me":"a"}`),       // an escape in a key
		[]byte(`{"name":"a","name":"b"}`), // a key twice
		[]byte(`{"kind":"x"}`),            // a key it does not know
		[]byte(`{"references":null}`),     // null
		[]byte(`{"size":1e3}`),            // not an int
		[]byte(`{"size":99999999999999999999}`),
		[]byte(`{"added":"yesterday"}`), // not a time
		[]byte(`{"added":5}`),
		[]byte(`{"env":[{"var":1}]}`), // a setting of the wrong type
		[]byte(`{"name":"a"`),         // cut short
		[]byte(`{"name":"a"} x`),      // trailing bytes
		[]byte("{\"name\":\"\x01\"}"), // a control byte
		[]byte(`null`),
	}
	return own, other
}

// infoDecoder is decodeInfo, against encoding/json's reading of an Info.
var infoDecoder = testutil.Decoder[Info]{Decode: decodeInfo, JSON: testutil.Unmarshal[Info], Samples: infoSamples}

// decodeInfo reads what encoding/json reads, or leaves it to it.
func TestDecodeInfo(t *testing.T) { infoDecoder.Test(t) }

func FuzzDecodeInfo(f *testing.F) { infoDecoder.Fuzz(f) }

// asciiPlain answers as the bytes' classes do, whatever the byte and its
// place in a word of eight or in the tail.
func TestASCIIPlain(t *testing.T) {
	for n := 1; n <= 20; n++ {
		for at := range n {
			for c := range 256 {
				if c == '"' {
					continue // ends the string before asciiPlain sees it
				}
				s := bytes.Repeat([]byte{'~'}, n)
				s[at] = byte(c)
				if got, want := asciiPlain(s), strByte[c] == 0; got != want {
					t.Fatalf("asciiPlain(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}
