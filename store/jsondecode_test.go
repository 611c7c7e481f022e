package store

import (
	"bytes"
	"encoding/json"
	"strings"
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

// plainRun stops where a loop over the bytes' classes stops, whatever
// the byte and its place in a word of eight or in the tail, and whatever
// follows it (a borrow from a byte it stops at must not move it).
func TestPlainRun(t *testing.T) {
	after := []byte{0, 0x1f, '"', '\\', 0x80, 0xff, '~', ' '}
	for n := 1; n <= 20; n++ {
		for at := range n {
			for c := range 256 {
				s := bytes.Repeat([]byte{'~'}, n)
				s[at] = byte(c)
				for i := at + 1; i < n; i++ {
					s[i] = after[(i+c)%len(after)]
				}
				want := 0
				for want < len(s) && strByte[s[want]] == 0 {
					want++
				}
				if got := plainRun(s); got != want {
					t.Fatalf("plainRun(%q) = %d, want %d", s, got, want)
				}
			}
		}
	}
}

// skipSamples are values Skip reads (as encoding/json does) and values it
// rejects (as encoding/json does).
func skipSamples() (valid, invalid []string) {
	valid = []string{
		`0`, `-1.5e+3`, `"a"`, `true`, `false`, `null`, `[]`, `{}`, ` [ 1 , "x" ] `,
		`{"a":{"b":[{"c":null}]},"a":1}`, `{"a\u0041":"\ud83d\ude00\n\/"}`,
		"\"\xff\xfe\"", strings.Repeat("[", 40) + strings.Repeat("]", 40),
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
		`[{"name":"pkg000","version":"1.0","request":"pkg000","id":"w7n8418bbfxr4xy4dppq3x11v645jspr-pkg000-1.0","priority":5}]`,
	}
	invalid = []string{
		``, `[`, `[1,]`, `[1 2]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{a:1}`, `{"a":1]`, `[1}`,
		`01`, `1.`, `-`, `1e`, `tru`, `nul`, `"a`, "\"\x01\"", `"\x"`, `"\u12"`, `"\u12g4"`,
		strings.Repeat("[", 40) + strings.Repeat("]", 39), `{"a":[1}`, `[{}}`,
		// Deeper than encoding/json reads.
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001), strings.Repeat(`[{"a":`, 5000) + "[1]" + strings.Repeat("}]", 5000),
	}
	return valid, invalid
}

// Skip reads a value as encoding/json's Valid does, and ends after it.
func TestSkip(t *testing.T) {
	valid, invalid := skipSamples()
	for _, s := range valid {
		d := NewDecoder([]byte(s))
		if !d.Skip() || !d.End() || !json.Valid([]byte(s)) {
			t.Errorf("%s: not skipped", s)
		}
	}
	for _, s := range invalid {
		d := NewDecoder([]byte(s))
		if d.Skip() && d.End() || json.Valid([]byte(s)) {
			t.Errorf("%s: skipped", s)
		}
	}
}

// Whatever the bytes, Skip and then End accept them exactly when
// encoding/json does.
func FuzzSkip(f *testing.F) {
	valid, invalid := skipSamples()
	for _, s := range append(valid, invalid...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		if got, want := d.Skip() && d.End(), json.Valid(b); got != want {
			t.Errorf("%q: skipped %v, encoding/json says valid %v", b, got, want)
		}
	})
}
