package shells

import (
	"encoding/json"
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

func TestRenderIsStableAndReadable(t *testing.T) {
	changes := Changes{"B": ptr("two words"), "A": ptr("/plain/path"), "GONE": nil, "CLEARED": nil,
		"PATH": ptr("/gen/bin:/usr/bin"), "NL": ptr("a\nb\xff")}
	for shell, want := range map[string]string{
		"bash":   "export A=/plain/path;\nexport B='two words';\nexport NL=$'a\\nb\\xff';\nexport PATH=/gen/bin:/usr/bin;\nunset CLEARED;\nunset GONE;\n",
		"zsh":    "export A=/plain/path;\nexport B='two words';\nexport NL=$'a\\nb\\xff';\nexport PATH=/gen/bin:/usr/bin;\nunset CLEARED;\nunset GONE;\n",
		"fish":   "set -gx -- A /plain/path;\nset -gx -- B 'two words';\nset -gx -- NL 'a'\\x0a'b'\\Xff;\nset -gx --path -- PATH /gen/bin /usr/bin;\nset -e -g CLEARED;\nset -e -g GONE;\n",
		"tcsh":   tcshFrame("setenv A /plain/path\nsetenv B 'two words'\nsetenv NL 'a\\\nb\xff'\nsetenv PATH /gen/bin:/usr/bin\nunsetenv CLEARED GONE\n"),
		"elvish": "set-env A '/plain/path'\nset-env B 'two words'\nset-env NL \"a\\x0ab\\xff\"\nset-env PATH '/gen/bin:/usr/bin'\nunset-env CLEARED\nunset-env GONE\n",
		"json":   "{\n  \"A\": \"/plain/path\",\n  \"B\": \"two words\",\n  \"CLEARED\": null,\n  \"GONE\": null,\n  \"NL\": \"a\\nb\\udcff\",\n  \"PATH\": \"/gen/bin:/usr/bin\"\n}\n",
	} {
		got, err := Render(shell, changes)
		if err != nil || got != want {
			t.Errorf("Render(%s) = %q, %v\nwant %q", shell, got, err, want)
		}
	}
}

func TestRenderRejects(t *testing.T) {
	for _, c := range []Changes{{"A-B": ptr("x")}, {"1A": nil}, {"": nil}, {"A": ptr("nul\x00")}} {
		if _, err := Render("bash", c); err == nil {
			t.Errorf("Render(%v) succeeds", c)
		}
	}
	if _, err := Render("csh", Changes{}); err == nil {
		t.Error("Render of an unknown shell succeeds")
	}
}

// JSON output decodes to the values; bytes that are not UTF-8 come as
// lone surrogates \udcXX (which a strict decoder reads as U+FFFD).
func TestRenderJSON(t *testing.T) {
	for _, v := range trickyValues {
		out, err := Render("json", Changes{"V": ptr(v), "U": nil})
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]*string
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if got["U"] != nil || got["V"] == nil {
			t.Fatalf("%q decodes to %v", out, got)
		}
		if want := strings.ToValidUTF8(v, "\uFFFD"); *got["V"] != want && !strings.Contains(out, `\udc`) {
			t.Errorf("%q decodes to %q, want %q", out, *got["V"], want)
		}
	}
}
