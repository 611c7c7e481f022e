package profile

import (
	"fmt"
	"strings"
	"testing"
)

func TestReadUses(t *testing.T) {
	tests := []struct {
		in   string
		want []string // requests, or the error
	}{
		{"use a\nuse b 1.2\nuse c '>=2,<3'\nuse \"d@<4\"\n", []string{"a", "b@1.2", "c@>=2,<3", "d@<4"}},
		{"# comment\n\n  use a =1.0 # pinned\n", []string{"a@=1.0"}},
		{"use a; use b\n", []string{"a", "b"}},
		{"", nil},
		{"use\n", []string{"f:1:1: usage: use NAME [CONSTRAINT]"}},
		{"use a b c\n", []string{"f:1:1: usage: use NAME [CONSTRAINT]"}},
		{"use a\nexport X=1\n", []string{"f:2:1: import reads only use lines"}},
		{"use a\necho hi\n", []string{"f:2:1: import reads only use lines, not echo"}},
		{"X=1 use a\n", []string{"f:1:1: import reads only use lines"}},
		{"use a > out\n", []string{"f:1:1: import reads only use lines"}},
		{"use a &\n", []string{"f:1:1: import reads only use lines"}},
		{"if true; then use a; fi\n", []string{"f:1:1: import reads only use lines"}},
		{"use $A\n", []string{"f:1:1: import reads only use lines of literal words"}},
		{"use \"$A\"\n", []string{"f:1:1: import reads only use lines of literal words"}},
		{"use ''\n", []string{"f:1:1: import reads only use lines of literal words"}},
		{"use a\\b\n", []string{"f:1:1: import reads only use lines of literal words"}},
		{"use a\nuse a 2\n", []string{"f:2:1: a is used already at f:1:1"}},
		{"use a@@\n", []string{"f:1:1: package"}},
		{"use a (\n", []string{"f:1:"}},
	}
	for _, tc := range tests {
		uses, err := ReadUses(strings.NewReader(tc.in), "f")
		var got []string
		if err != nil {
			got = []string{err.Error()}
		}
		for _, u := range uses {
			got = append(got, u.Request.String())
		}
		if err != nil && len(tc.want) == 1 && strings.HasPrefix(got[0], tc.want[0]) {
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("ReadUses(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzReadUses checks that import's reader never panics and that what it
// accepts, written back as export writes it, reads back the same.
func FuzzReadUses(f *testing.F) {
	for _, s := range []string{"use a\n", "use b 1.2\nuse c@>=2,<3\n", "# x\nuse a =1.0\n", "echo hi\n", "use a; use b", "use a (\n", "use $x", "use c '>=2,<3'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		uses, err := ReadUses(strings.NewReader(in), "f")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Errorf("error without position: %v", err)
			}
			return
		}
		var b strings.Builder
		for _, u := range uses {
			fmt.Fprintf(&b, "use '%s'\n", u.Request)
		}
		again, err := ReadUses(strings.NewReader(b.String()), "g")
		if err != nil {
			t.Fatalf("reading back %q: %v", b.String(), err)
		}
		if len(again) != len(uses) {
			t.Fatalf("read back %d uses, want %d", len(again), len(uses))
		}
		for i := range uses {
			if again[i].Request != uses[i].Request {
				t.Errorf("use %d: %v read back as %v", i, uses[i].Request, again[i].Request)
			}
		}
	})
}
