package activate

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

var quoteCases = []string{
	"", "a", "a b", "a,b", "~a", "a~", "a=~b", "a:~b", "#a", "a#", "a=b", "a:b",
	"é", "a%b@c+d-e.f/g_h", "\x01", "a\tb", "x\ny", "\xff", "\x7f", "\x1b", "a'b",
	`a"b\c`, "{a}", "!", "*?[]", "$v`c`", "a|b&c;d(e)f<g>h^", "é\x01", "日本",
	"\u0085", "\u00a0", "\a\b\f\r\v", "\xe2\x82", " ", "'", "a\\",
}

// TestBashQuoteAsBash compares bashQuote with real bash's printf %q.
func TestBashQuoteAsBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		if os.Getenv("NOXENV_REQUIRE_SHELLS") == "1" {
			t.Fatal("bash is required (NOXENV_REQUIRE_SHELLS=1)")
		}
		t.Skip("no bash")
	}
	cmd := exec.Command("bash", append([]string{"-c", `for a; do printf '%q\n' "$a"; done`, "_"}, quoteCases...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(quoteCases) {
		t.Fatalf("bash printed %d lines for %d cases: %q", len(lines), len(quoteCases), out)
	}
	for i, s := range quoteCases {
		if got := bashQuote(s); got != lines[i] {
			t.Errorf("bashQuote(%q) = %s, bash: %s", s, got, lines[i])
		}
	}
}

// FuzzBashQuote: what bashQuote gives reads back, as one word, as the
// string it quoted.
func FuzzBashQuote(f *testing.F) {
	for _, s := range quoteCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			return
		}
		q := bashQuote(s)
		file, err := syntax.NewParser().Parse(strings.NewReader("x "+q), "")
		if err != nil {
			t.Fatalf("bashQuote(%q) = %s: %v", s, q, err)
		}
		call, ok := file.Stmts[0].Cmd.(*syntax.CallExpr)
		if len(file.Stmts) != 1 || !ok || len(call.Args) != 2 {
			t.Fatalf("bashQuote(%q) = %s: not one word", s, q)
		}
		got, err := expand.Fields(nil, call.Args[1])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != s {
			t.Fatalf("bashQuote(%q) = %s, which reads back as %q", s, q, got)
		}
	})
}
