package profile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLocateAndList(t *testing.T) {
	tmp := t.TempDir()
	user, rel1, rel2 := filepath.Join(tmp, "user"), filepath.Join(tmp, "r1"), filepath.Join(tmp, "r2")
	for _, d := range []string{user, rel1, rel2} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gens := filepath.Join(tmp, "gens")
	for _, p := range []string{filepath.Join(user, "mine"), filepath.Join(rel1, "team"), filepath.Join(rel2, "team"), filepath.Join(rel2, "other")} {
		if err := (&Profile{Path: p}).Create(gens); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("broken-3-link", filepath.Join(user, "broken")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ref, path      string
		adhoc, release bool
	}{
		{"mine", filepath.Join(user, "mine"), false, false},
		{"team", filepath.Join(rel1, "team"), false, true}, // the first release directory's
		{"other", filepath.Join(rel2, "other"), false, true},
		{"new", filepath.Join(user, "new"), false, false}, // to be made
		{"./dir/p", filepath.Join(mustWd(t), "dir/p"), true, false},
	} {
		p, adhoc, err := Locate(tc.ref, user, []string{rel1, rel2})
		if err != nil || p.Path != tc.path || adhoc != tc.adhoc || p.ReadOnly != tc.release {
			t.Errorf("Locate(%s) = %+v, %v, %v; want %s adhoc %v read-only %v", tc.ref, p, adhoc, err, tc.path, tc.adhoc, tc.release)
		}
	}
	var ne *NameError
	if _, _, err := Locate("x-1-link", user, nil); !errors.As(err, &ne) {
		t.Errorf("Locate(x-1-link) = %v; want a NameError", err)
	}

	listed, err := List(user, []string{rel1, rel2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range listed {
		s := l.Profile.Path
		if l.Profile.ReadOnly {
			s += " release"
		}
		if l.Err != nil {
			s += " broken"
		} else if l.Current.Number != 0 {
			s += " wrong generation"
		}
		got = append(got, s)
	}
	want := []string{filepath.Join(user, "broken") + " broken", filepath.Join(user, "mine"),
		filepath.Join(rel1, "team") + " release", filepath.Join(rel2, "other") + " release", filepath.Join(rel2, "team") + " release"}
	if len(got) != len(want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("List[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}

func mustWd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
