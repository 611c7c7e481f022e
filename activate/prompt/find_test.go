package prompt

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A directory's project file is its .noxprofile or, with the setting
// load-envrc, its .envrc; the setting is read only once an .envrc is met.
func TestFindEnvrc(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"a/.noxprofile", "a/.envrc", // both: .noxprofile wins
		"a/b/.envrc", // alone
		"a/b/c/d/.keep",
		"plain/x/.keep",
	} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	calls := 0
	setting := func(on bool, err error) func() (bool, error) {
		return func() (bool, error) { calls++; return on, err }
	}
	cases := []struct {
		dir       string
		loadEnvrc func() (bool, error)
		want      string
		calls     int
		ignored   []IgnoredEnvrc
	}{
		{"a/b/c/d", setting(true, nil), "a/b/.envrc", 1, nil},
		{"a/b/c/d", setting(false, nil), "a/.noxprofile", 1, []IgnoredEnvrc{
			{"a/b/.envrc", "load-envrc is off"}, {"a/.envrc", ".noxprofile takes precedence"}}},
		{"a/b", nil, "a/.noxprofile", 0, []IgnoredEnvrc{
			{"a/b/.envrc", "load-envrc is off"}, {"a/.envrc", ".noxprofile takes precedence"}}},
		{"a", setting(true, nil), "a/.noxprofile", 0, []IgnoredEnvrc{{"a/.envrc", ".noxprofile takes precedence"}}},
		{"plain/x", setting(true, nil), "", 0, nil},
	}
	for _, tc := range cases {
		calls = 0
		got, err := Find(filepath.Join(root, tc.dir), tc.loadEnvrc)
		if err != nil || got != filepath.Join(root, tc.want) && !(tc.want == "" && got == "") {
			t.Errorf("Find(%s) = %q, %v; want %s", tc.dir, got, err, tc.want)
		}
		if calls != tc.calls {
			t.Errorf("Find(%s) read the setting %d times; want %d", tc.dir, calls, tc.calls)
		}
		var want []IgnoredEnvrc
		for _, ig := range tc.ignored {
			want = append(want, IgnoredEnvrc{filepath.Join(root, ig.Path), ig.Why})
		}
		if ig := Ignored(filepath.Join(root, tc.dir), got); !slices.Equal(ig, want) {
			t.Errorf("Ignored(%s, %s) = %v; want %v", tc.dir, got, ig, want)
		}
	}
	// A setting that cannot be read is an error once an .envrc is met.
	bad := errors.New("bad config")
	if _, err := Find(filepath.Join(root, "a/b/c"), setting(false, bad)); !errors.Is(err, bad) {
		t.Errorf("Find with an unreadable setting: %v; want %v", err, bad)
	}
}
