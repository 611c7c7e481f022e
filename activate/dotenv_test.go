package activate

import (
	"maps"
	"strings"
	"testing"

	"github.com/joho/godotenv"
)

func TestParseDotenv(t *testing.T) {
	env := map[string]string{"BASE": "/opt", "HOME": "/home/ann", "ODD": "a\"b\\c$D\nx", "PLAIN": "from-env"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for name, tc := range map[string]struct {
		data string
		want map[string]string
	}{
		"no expansion":   {"A=1\nB='x y'\n", map[string]string{"A": "1", "B": "x y"}},
		"from the env":   {"BIN=${BASE}/bin\nH=$HOME/x\n", map[string]string{"BIN": "/opt/bin", "H": "/home/ann/x"}},
		"own keys first": {"BASE=/usr\nBIN=${BASE}/bin\n", map[string]string{"BASE": "/usr", "BIN": "/usr/bin"}},
		"before own":     {"BIN=${PLAIN}/bin\nPLAIN=mine\n", map[string]string{"BIN": "from-env/bin", "PLAIN": "mine"}},
		"unset":          {"X=${NOPE}-y\n", map[string]string{"X": "-y"}},
		"single quotes":  {"Q='$HOME'\n", map[string]string{"Q": "$HOME"}},
		"escaped":        {"E=\"\\$HOME\"\n", map[string]string{"E": "$HOME"}},
		"odd value":      {"O=\"${ODD}\"\n", map[string]string{"O": env["ODD"]}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := parseDotenv([]byte(tc.data), lookup)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := parseDotenv([]byte("A=\"unterminated\n"), lookup); err == nil {
		t.Error("no error for an unterminated value")
	}
}

// FuzzParseDotenv: a variable of any value expands to that value, and the
// keys are the file's own.
func FuzzParseDotenv(f *testing.F) {
	f.Add("A=${V}\n", "plain")
	f.Add("A=\"$V\"\nB='$V'\n", "a\"b\\c$D\nx\r")
	f.Fuzz(func(t *testing.T, data, v string) {
		lookup := func(k string) (string, bool) { return v, k == "V" }
		own, ownErr := godotenv.UnmarshalBytes([]byte(data))
		got, err := parseDotenv([]byte(data), lookup)
		if (err != nil) != (ownErr != nil) {
			t.Fatalf("error %v, godotenv's %v", err, ownErr)
		}
		if err == nil && len(got) != len(own) {
			t.Fatalf("keys %q, the file's %q", got, own)
		}
		got, err = parseDotenv([]byte("X=\"${V}\"\n"), lookup)
		if strings.ContainsAny(v, "\x00") {
			return
		}
		if err != nil || got["X"] != v {
			t.Fatalf("X = %q (%v), want %q", got["X"], err, v)
		}
	})
}
