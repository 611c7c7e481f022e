package tomlfile

import (
	"errors"
	"reflect"
	"testing"

	"github.com/noxenv/noxenv/settings"
)

// plainFiles are settings files of the plain form, with what they hold.
var plainFiles = []struct {
	text string
	want map[string]any
}{
	{"", map[string]any{}},
	{"# only a comment\n\n", map[string]any{}},
	{"load-envrc = true\n", map[string]any{"load-envrc": true}},
	{"load-envrc=false # off\r\neval-timeout = \"90s\"\n", map[string]any{"load-envrc": false, "eval-timeout": "90s"}},
	{"\teval-timeout = 120", map[string]any{"eval-timeout": int64(120)}},
	{"substituters = [ \"oci://registry/cache\", 'file:///srv/c', ]\n", map[string]any{"substituters": []any{"oci://registry/cache", "file:///srv/c"}}},
	{"substituters = []\ntrusted-public-keys = ['k:ü'] # keys\n", map[string]any{"substituters": []any{}, "trusted-public-keys": []any{"k:ü"}}},
	{"eval-timeout = 0", map[string]any{"eval-timeout": int64(0)}},
}

// notPlain are files a TOML parser must read, valid or not.
var notPlain = []string{
	"[cache]\nurl = \"x\"\n",
	"a.b = 1\n",
	"\"load-envrc\" = true\n",
	"eval-timeout = \"9\\u0030s\"\n",
	"substituters = [\n  \"a\",\n]\n",
	"eval-timeout = 1.5\n",
	"eval-timeout = 1_000\n",
	"eval-timeout = 012\n",
	"when = 1979-05-27\n",
	"x = \"\"\"a\"\"\"\n",
	"x = 1\nx = 2\n",
	"x = \"a\" y = 1\n",
	"x = 99999999999999999999\n",
	"x = tru\n",
	"x = \"a\x01\"\n",
	"x = \xff\n",
}

func TestDecodePlain(t *testing.T) {
	for _, c := range plainFiles {
		got, err := settings.DecodePlain("config.toml", []byte(c.text))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %#v, %v; want %#v", c.text, got, err, c.want)
		}
		full, err := Decode("config.toml", []byte(c.text))
		if err != nil || !reflect.DeepEqual(full, c.want) {
			t.Errorf("%q: TOML gives %#v, %v; want %#v", c.text, full, err, c.want)
		}
	}
	for _, text := range notPlain {
		if got, err := settings.DecodePlain("config.toml", []byte(text)); !errors.Is(err, settings.ErrNotPlain) {
			t.Errorf("%q: %#v, %v; want ErrNotPlain", text, got, err)
		}
	}
}

// FuzzDecodePlain checks that whatever DecodePlain reads, a TOML parser
// reads alike.
func FuzzDecodePlain(f *testing.F) {
	for _, c := range plainFiles {
		f.Add(c.text)
	}
	for _, text := range notPlain {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := settings.DecodePlain("config.toml", []byte(text))
		if err != nil {
			if !errors.Is(err, settings.ErrNotPlain) {
				t.Fatalf("%q: %v", text, err)
			}
			return
		}
		full, err := Decode("config.toml", []byte(text))
		if err != nil || !reflect.DeepEqual(got, full) {
			t.Fatalf("%q: plain %#v; TOML %#v, %v", text, got, full, err)
		}
	})
}
