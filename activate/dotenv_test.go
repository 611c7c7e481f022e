package activate

import (
	"maps"
	"strings"
	"testing"

	"github.com/joho/godotenv"
)

func TestParseDotenv(t *testing.T) {
	env := map[string]string{"BASE": "/opt", "HOME": "/home/ann", "ODD": "a\"b\\c$D\nx", "PLAIN": "from-env", "HIDDEN": "not exported"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok && k != "HIDDEN" }
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
		"not exported":   {"N=${HIDDEN}\n", map[string]string{"N": ""}},
		"godotenv's $(":  {"P=$(PLAIN)\n", map[string]string{"P": "from-env)"}},
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

// FuzzDotenv holds parseDotenv to godotenv v1.5.1, whose syntax it
// keeps: for any file, the same variables or the same error; and with the
// script's variable V, the same as godotenv with V set on a first line (in
// single quotes, when V's value can be written so).
func FuzzDotenv(f *testing.F) {
	for _, seed := range []string{
		"A=1\nB='x y'\nC=\"z\"\n",
		"export A=1\nexport\tB = 2\nexportC=3\nexport =4\nexport",
		"A: yaml\nB : c:d\n",
		"# comment\n  # indented\nA=b # trailing\nB=c#not\nC=\"d\" # after\nD=e # one # two\n",
		"A=a=b==c\nB==\nC=\nD=''\nE=\"\"\nF=",
		"A=1\r\nB=\"x\r\ny\"\r\nC='p\rq'\rD=4\r",
		"A=\"unterminated\nB=1\n",
		"A='unterminated",
		"A=\"esc \\\" quote\"\nB='esc \\' quote'\nC=\"end\\\"\"\nD=\"\\\\\"\nE=\"x\"y=1\n",
		"A=\"\\n\\r\\t\\\\n\\$V \\\\$V \\x\\\n\"\nB=\\$V \\\\$V\n",
		"V=own\nA=$V ${V} $V} ${V $(V) $({V}) $ ${} $v ${V}}\nB=\"$V$V\"\nC='$V'\n",
		"A=${V}\nV=x\nB=${V}\nV=$V$V\n",
		"A\nB=1\n",
		"A B.c_1=1\n\u00e9=2\n\xc2\xa0A=3\nA\xc2\xa0=4\nA\xa0B=5\n",
		"A=\xff\xfe x\nB=\"\xff$V\"\nC='\xc3'\n\xff=1\n",
		"\u3000A=1\n\u2028B=2\u0085\nC=\u00a0 x \u00a0# c\n",
		"A-B=1\n",
		"A=\"multi\nline\n$V\"\nB='multi\nline'\n",
		"A=x\x00y\nB=\"\\\x00\"\n",
	} {
		f.Add(seed, "plain")
	}
	f.Add("A=\"$V\"\nB='$V'\n", "a\"b\\c$D\nx\r")
	f.Fuzz(func(t *testing.T, data, v string) {
		want, wantErr := godotenv.UnmarshalBytes([]byte(data))
		got, err := parseDotenv([]byte(data), func(string) (string, bool) { return "", false })
		sameDotenv(t, got, err, want, wantErr)
		if strings.Contains(v, "'") || strings.Contains(v, "\r\n") || strings.HasSuffix(v, `\`) {
			return
		}
		_, own := want["V"]
		want, wantErr = godotenv.UnmarshalBytes([]byte("V='" + v + "'\n" + data))
		if !own {
			delete(want, "V")
		}
		got, err = parseDotenv([]byte(data), func(k string) (string, bool) { return v, k == "V" })
		sameDotenv(t, got, err, want, wantErr)
	})
}

func sameDotenv(t *testing.T, got map[string]string, err error, want map[string]string, wantErr error) {
	t.Helper()
	switch {
	case wantErr != nil && (err == nil || err.Error() != wantErr.Error()):
		t.Fatalf("error %v, godotenv's %q", err, wantErr)
	case wantErr == nil && err != nil:
		t.Fatalf("error %q, godotenv none", err)
	case wantErr == nil && !maps.Equal(got, want):
		t.Fatalf("got %q, godotenv's %q", got, want)
	}
}
