package image

import (
	"slices"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

func TestSplitWords(t *testing.T) {
	cases := []struct {
		line string
		want []string
		err  string
	}{
		{`sh -c 'echo $HOME; ls *'`, []string{"sh", "-c", "echo $HOME; ls *"}, ""},
		{`printf "%s\n" a\ b "c d" ''`, []string{"printf", `%s\n`, "a b", "c d", ""}, ""},
		{`~/bin/run *.txt`, []string{"~/bin/run", "*.txt"}, ""},
		{"  ", []string{}, ""},
		{`echo $HOME`, nil, "$HOME is not expanded"},
		{`echo "${X:-y}"`, nil, "${X:-y} is not expanded"},
		{`echo $(date)`, nil, "$(date) is not expanded"},
		{`echo $((1+2))`, nil, "$((1+2)) is not expanded"},
		{`a | b`, nil, "one command"},
		{`a; b`, nil, "one command"},
		{`X=1 run`, nil, "assignments"},
		{`run > out`, nil, "redirections"},
		{`run 'open`, nil, "reached EOF"},
	}
	for _, tc := range cases {
		got, err := SplitWords(tc.line)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one saying %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) || got == nil {
			t.Errorf("%q: %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
}

// Words quoted for the shell split back into themselves.
func FuzzSplitWords(f *testing.F) {
	f.Add("sh -c 'echo $HOME'", "a b")
	f.Add(`"x\"y"`, "\t")
	f.Fuzz(func(t *testing.T, line, word string) {
		words, err := SplitWords(line)
		if err != nil {
			return
		}
		words = append(words, word)
		var quoted []string
		for _, w := range words {
			q, err := syntax.Quote(w, syntax.LangBash)
			if err != nil {
				return // a NUL byte, which no command line holds
			}
			quoted = append(quoted, q)
		}
		back, err := SplitWords(strings.Join(quoted, " "))
		if err != nil || !slices.Equal(back, words) {
			t.Fatalf("%q quoted as %q split into %q, %v", words, quoted, back, err)
		}
	})
}
