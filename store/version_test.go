package store

import (
	"strings"
	"testing"
)

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.10", "1.9", 1},
		{"1.9", "1.10", -1},
		{"6.28.04", "6.28.4", 0},
		{"1.1.1w", "1.1.1", 1},
		{"1.1.1w", "1.1.1x", -1},
		{"1.2", "1.2", 0},
		{"1.2", "1.2.0", -1},
		{"2", "10", -1},
		{"1.0", "1.0a", -1},
		{"1.0.1", "1.0a", 1}, // digits rank above letters
		{"0001", "1", 0},
		{"1.0", "1_0", 0},
		{"1.0-rc1", "1.0-rc2", -1},
		{"20240101", "9999", 1},
	} {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestConstraintMatch(t *testing.T) {
	for _, tc := range []struct {
		c, v string
		want bool
	}{
		{"", "0.1", true},
		{"1.2", "1.2", true},
		{"1.2", "1.2.7", true},
		{"1.2", "1.20", false},
		{"1.2", "1.3", false},
		{"1.2", "1", false},
		{"=1.2", "1.2", true},
		{"=1.2", "1.2.1", false},
		{"=6.28.4", "6.28.04", true},
		{">=1.2", "1.2", true},
		{">=1.2", "1.10", true},
		{">=1.2", "1.1.9", false},
		{">1.2", "1.2", false},
		{">1.2", "1.2.1", true},
		{"<=1.2", "1.2", true},
		{"<=1.2", "1.2.1", false},
		{"<2", "1.99", true},
		{"<2", "2", false},
		{">=1.2,<2", "1.5", true},
		{">=1.2,<2", "2.0", false},
		{">=1.2, <2", "1.1", false},
		{" >= 1.2 ", "1.3", true},
	} {
		c, err := ParseConstraint(tc.c)
		if err != nil {
			t.Fatalf("ParseConstraint(%q): %v", tc.c, err)
		}
		if got := c.Match(tc.v); got != tc.want {
			t.Errorf("%q matches %q = %v, want %v", tc.c, tc.v, got, tc.want)
		}
	}
}

func TestParseConstraintErrors(t *testing.T) {
	for _, s := range []string{">=", "1.2,", "=>1", "abc", ">=1.2,,<2", "1 2", "<x", "1.2/3"} {
		if _, err := ParseConstraint(s); err == nil {
			t.Errorf("ParseConstraint(%q) succeeded, want an error", s)
		}
	}
}

func TestSplitNameVersion(t *testing.T) {
	for _, tc := range []struct{ s, name, version string }{
		{"hello-1.0", "hello", "1.0"},
		{"gnu-hello-2.12.1", "gnu-hello", "2.12.1"},
		{"foo-1.0-rc1", "foo", "1.0-rc1"},
		{"py3-numpy-1.26", "py3-numpy", "1.26"},
		{"root-6.28.04", "root", "6.28.04"},
		{"hello", "", ""},
		{"-1.0", "", ""},
	} {
		n, v, _ := SplitNameVersion(tc.s)
		if n != tc.name || v != tc.version {
			t.Errorf("SplitNameVersion(%q) = %q, %q; want %q, %q", tc.s, n, v, tc.name, tc.version)
		}
	}
}

func TestParseRequest(t *testing.T) {
	for _, s := range []string{"hello", "hello@1.2", "hello@>=1.2,<2", "gnu-hello@=2.12"} {
		r, err := ParseRequest(s)
		if err != nil {
			t.Fatalf("ParseRequest(%q): %v", s, err)
		}
		if r.String() != s {
			t.Errorf("ParseRequest(%q).String() = %q", s, r.String())
		}
	}
	for _, s := range []string{"", "@1", "a/b", "hello@>=", ".hidden", "hello@1@2"} {
		if _, err := ParseRequest(s); err == nil {
			t.Errorf("ParseRequest(%q) succeeded, want an error", s)
		}
	}
}

func TestRequestMatches(t *testing.T) {
	for _, c := range []struct {
		req, name, version string
		want               bool
	}{
		{"hello", "hello", "2.0", true},
		{"hello@1", "hello", "1.0", true},
		{"hello@1", "hello", "2.0", false},
		{"hello@>=1.2,<2", "hello", "1.10", true},
		{"hello@1", "other", "1.0", false},
		{"hello", "hello-lib", "1.0", false},
	} {
		r, err := ParseRequest(c.req)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Matches(c.name, c.version); got != c.want {
			t.Errorf("%s.Matches(%s, %s) = %v, want %v", c.req, c.name, c.version, got, c.want)
		}
	}
}

func TestIsID(t *testing.T) {
	for id, want := range map[string]bool{
		"ncizz8d4kz8bqrnyrc8m690wbm60cv8f-hello-1.0": true,
		"hello-1.0":          true,
		"gnu-hello-2.12.1":   true,
		"":                   false,
		"hello":              false,
		"../../usr":          false,
		"/usr":               false,
		"a/hello-1.0":        false,
		"hello@1-1.0":        false,
		"hello-1.0/../x-1.0": false,
	} {
		if got := IsID(id); got != want {
			t.Errorf("IsID(%q) = %v, want %v", id, got, want)
		}
	}
}

// FuzzCompareVersions checks that the order is a total preorder consistent
// with itself.
func FuzzCompareVersions(f *testing.F) {
	for _, s := range [][2]string{{"1.10", "1.9"}, {"6.28.04", "6.28.4"}, {"1.1.1w", "1.1.1"}, {"", "0"}, {"a", "1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := CompareVersions(a, b), CompareVersions(b, a)
		if ab != -ba {
			t.Fatalf("CompareVersions(%q, %q) = %d but reversed %d", a, b, ab, ba)
		}
		if CompareVersions(a, a) != 0 {
			t.Fatalf("CompareVersions(%q, itself) != 0", a)
		}
		if CheckVersion(a) == nil {
			c, err := ParseConstraint("=" + a)
			if err != nil {
				t.Fatalf("version %q accepted but constraint =%q rejected: %v", a, a, err)
			}
			if !c.Match(a) {
				t.Fatalf("=%q does not match itself", a)
			}
			if p, _ := ParseConstraint(a); !p.Match(a) {
				t.Fatalf("prefix constraint %q does not match itself", a)
			}
		}
	})
}

// FuzzParseConstraint checks that parsing never panics and that what it
// accepts behaves consistently.
func FuzzParseConstraint(f *testing.F) {
	for _, s := range []string{"1.2", "=1.2", ">=1.2,<2", "<=0", ">1.0rc1", "", " , ", ">=>1"} {
		f.Add(s, "1.5")
	}
	f.Fuzz(func(t *testing.T, s, v string) {
		c, err := ParseConstraint(s)
		if err != nil {
			return
		}
		m := c.Match(v)
		if c.String() != s {
			t.Fatalf("String() = %q, want %q", c.String(), s)
		}
		// A conjunction matches iff every part does.
		all := true
		for _, t1 := range c.terms {
			all = all && t1.match(v)
		}
		if m != all {
			t.Fatalf("%q.Match(%q) = %v, parts say %v", s, v, m, all)
		}
	})
}

// TestCheckVersionReserved: a version cannot end in the suffixes of an
// entry's own files, or its id would read as another entry's metadata or
// listing.
func TestCheckVersionReserved(t *testing.T) {
	for _, v := range []string{"1.noxdirs", "1.0.noxinfo"} {
		if err := CheckVersion(v); err == nil || !strings.Contains(err.Error(), "keeps for its own files") {
			t.Errorf("CheckVersion(%q) = %v", v, err)
		}
	}
	for _, v := range []string{"1.noxdirs2", "1.0.nox"} {
		if err := CheckVersion(v); err != nil {
			t.Errorf("CheckVersion(%q) = %v", v, err)
		}
	}
}
