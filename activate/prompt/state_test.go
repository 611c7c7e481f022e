package prompt

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

func withoutState(env map[string]string) map[string]string {
	out := maps.Clone(env)
	delete(out, StateVar)
	return out
}

func sameEnv(t *testing.T, got, want map[string]string) {
	t.Helper()
	got, want = withoutState(got), withoutState(want)
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %q (set %v), want %q", k, g, ok, v)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s = %q, want it unset", k, g)
		}
	}
}

func loaded(base, to map[string]string) map[string]string {
	return Record(base, to, State{File: "/p/.noxprofile", Status: Loaded})
}

func TestRevertUndoesEverything(t *testing.T) {
	base := map[string]string{
		"PATH": "/usr/bin:/bin", "MANPATH": "", "KEEP": "same", "CHANGED": "old",
		"GONE": "was here", "PWD": "/somewhere",
	}
	to := map[string]string{
		"PATH": "/gen/bin:/usr/bin:/bin:/after", "MANPATH": "/gen/share/man:",
		"XDG_DATA_DIRS": "/gen/share:/usr/local/share:/usr/share",
		"KEEP":          "same", "CHANGED": "new\nvalue", "NEW": "", DirVar: "/p",
		"PWD": "/elsewhere", "CMAKE_PREFIX_PATH": "/gen",
	}
	env := loaded(base, to)
	sameEnv(t, env, to)
	got := Revert(env)
	if _, ok := got[StateVar]; ok {
		t.Errorf("Revert leaves %s", StateVar)
	}
	// PWD is the shell's: Revert leaves it as it is.
	want := maps.Clone(base)
	want["PWD"] = "/elsewhere"
	sameEnv(t, got, want)
}

func TestRevertKeepsUserChanges(t *testing.T) {
	base := map[string]string{"PATH": "/usr/bin", "A": "a0", "B": "b0", "U": "u0"}
	to := map[string]string{"PATH": "/gen/bin:/usr/bin", "A": "a1", "B": "b1", "N": "n1"}
	env := loaded(base, to)
	env["PATH"] = "/mine:" + env["PATH"] + ":/mine/too"
	env["A"] = "user's"
	env["U"] = "set again by the user"
	delete(env, "N")
	env["LATER"] = "user's own"
	got := Revert(env)
	sameEnv(t, got, map[string]string{
		"PATH": "/mine:/usr/bin:/mine/too", "A": "user's", "B": "b0",
		"U": "set again by the user", "LATER": "user's own",
	})
}

func TestRevertListOfUnsetVariable(t *testing.T) {
	base := map[string]string{}
	to := map[string]string{"MANPATH": "/gen/man:", "PKG_CONFIG_PATH": "/gen/lib/pkgconfig"}
	env := loaded(base, to)
	env["PKG_CONFIG_PATH"] = env["PKG_CONFIG_PATH"] + ":/mine"
	sameEnv(t, Revert(env), map[string]string{"PKG_CONFIG_PATH": "/mine"})
}

// A PATH-like variable the project rewrote (not only added to) is
// restored whole, like any other.
func TestRevertRewrittenPath(t *testing.T) {
	base := map[string]string{"PATH": "/a:/b:/c"}
	to := map[string]string{"PATH": "/c:/x"}
	sameEnv(t, Revert(loaded(base, to)), base)
}

// Moving from project A to project B is one switch: revert A, record B on
// the user's own environment.
func TestSwitchProjects(t *testing.T) {
	user := map[string]string{"PATH": "/usr/bin", "HOME": "/h"}
	a := loaded(user, map[string]string{"PATH": "/a/bin:/usr/bin", "HOME": "/h", "A": "1", DirVar: "/a"})
	base := Revert(a)
	sameEnv(t, base, user)
	b := loaded(base, map[string]string{"PATH": "/b/bin:/usr/bin", "HOME": "/h", "B": "2", DirVar: "/b"})
	d := Diff(a, b)
	if _, ok := d["A"]; !ok || d["A"] != nil {
		t.Errorf("switching does not unset A: %v", d)
	}
	if v := d["PATH"]; v == nil || *v != "/b/bin:/usr/bin" {
		t.Errorf("switching sets PATH to %v", v)
	}
	sameEnv(t, Revert(b), user)
}

// The state stays small: a 30 kB PATH and 50 changed variables do not
// make it hold PATH's value.
func TestStateStaysSmall(t *testing.T) {
	state := func(pathLen int) string {
		var dirs []string
		for i := 0; len(strings.Join(dirs, ":")) < pathLen; i++ {
			dirs = append(dirs, fmt.Sprintf("/opt/tool%04d/with/a/longish/bin", i))
		}
		base := map[string]string{"PATH": strings.Join(dirs, ":")}
		to := map[string]string{"PATH": "/gen/bin:" + base["PATH"]}
		for i := 0; i < 50; i++ {
			name := fmt.Sprintf("VAR%02d", i)
			base[name] = "previous value of " + name
			to[name] = strings.Repeat("new value ", 20)
		}
		return loaded(base, to)[StateVar]
	}
	small, big := state(1000), state(30000)
	if len(big) > len(small)+64 {
		t.Errorf("state grows with PATH: %d bytes with a 1 kB PATH, %d with 30 kB", len(small), len(big))
	}
	if len(big) > 2048 {
		t.Errorf("state is %d bytes", len(big))
	}
}

func TestStateRoundTrip(t *testing.T) {
	s := State{File: "/p/.noxprofile", Status: Blocked,
		Watches: []Watch{{"/p/.noxprofile", true, 1234567890123456789, false, ""}, {"/p/.env", false, 0, false, ""},
			{"/p/.envrc", true, -1234567890, true, ""}, {"/p/cfg", true, 1234567890123456789, false, "/p/conf/a.cfg"},
			{"/p/other", true, 1, false, "/p/conf/b.cfg"}}}
	env := Record(map[string]string{}, map[string]string{"X": "1"}, s)
	got, ok := LoadState(env)
	if !ok || got.File != s.File || got.Status != s.Status || !slices.Equal(got.Watches, s.Watches) {
		t.Errorf("LoadState = %+v, %v; want %+v", got, ok, s)
	}
	if _, ok := LoadState(map[string]string{StateVar: "garbage!"}); ok {
		t.Error("LoadState reads garbage")
	}
}

// keepFirst drops every entry of a :-list seen before, as zsh does for
// PATH after typeset -U path.
func keepFirst(v string) string {
	var out []string
	for _, e := range strings.Split(v, ":") {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return strings.Join(out, ":")
}

// TestRevertUniquePath: a directory the user had on PATH and the project
// adds too is, after unloading, still there and in the user's place, when
// the shell keeps each entry once (zsh's typeset -U path).
func TestRevertUniquePath(t *testing.T) {
	for _, c := range []struct{ user, project, later, want string }{
		{"/a:/b:/usr/bin", "/b:/a:/b:/usr/bin", "", "/a:/b:/usr/bin"},
		{"/a:/b:/usr/bin", "/g/bin:/usr/bin:/a:/b:/usr/bin", "", "/a:/b:/usr/bin"},
		{"/a:/b:/usr/bin", "/a:/b:/usr/bin:/a", "", "/a:/b:/usr/bin"},
		{"/a:/b:/usr/bin", "/b:/a:/b:/usr/bin", "/mine:", "/mine:/a:/b:/usr/bin"},
		{"/a:/b:/usr/bin", "/b:/a:/b:/usr/bin:/g", ":/mine", "/a:/b:/usr/bin:/mine"},
	} {
		env := loaded(map[string]string{"PATH": c.user}, map[string]string{"PATH": c.project})
		env["PATH"] = keepFirst(env["PATH"])
		switch {
		case strings.HasPrefix(c.later, ":"):
			env["PATH"] += c.later
		case c.later != "":
			env["PATH"] = c.later + env["PATH"]
		}
		if got := Revert(env)["PATH"]; got != c.want {
			t.Errorf("user %s, project %s, shell %s: reverted to %s, want %s", c.user, c.project, env["PATH"], got, c.want)
		}
	}
}

// FuzzRevertUniquePath: whatever a project adds around the user's PATH,
// a shell keeping each entry once gets the user's PATH back.
func FuzzRevertUniquePath(f *testing.F) {
	f.Add("/a:/b:/usr/bin", "/b", "/a")
	f.Add("/a", "/a:/a", "")
	f.Add("a::b", ":b", "a:")
	f.Fuzz(func(t *testing.T, user, front, back string) {
		user = keepFirst(user)
		project := user
		if front != "" {
			project = front + ":" + project
		}
		if back != "" {
			project += ":" + back
		}
		env := loaded(map[string]string{"PATH": user}, map[string]string{"PATH": project})
		env["PATH"] = keepFirst(env["PATH"])
		if got := Revert(env)["PATH"]; got != user {
			t.Errorf("user %q, project %q, shell %q: reverted to %q", user, project, env["PATH"], got)
		}
	})
}

// FuzzState: any state variable is read without panicking, and Revert of
// an unreadable one only drops it.
func FuzzState(f *testing.F) {
	f.Add(loaded(map[string]string{"A": "1"}, map[string]string{"A": "2", "PATH": "/x"})[StateVar])
	f.Add(format1State)
	f.Add(format2State)
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		env := map[string]string{StateVar: v, "A": "2"}
		got := Revert(env)
		if _, ok := got[StateVar]; ok {
			t.Error("Revert leaves the state variable")
		}
	})
}

// FuzzRevert: recording any change and reverting it gives the user's
// environment back.
func FuzzRevert(f *testing.F) {
	f.Add("/usr/bin:/bin", "/gen/bin:/usr/bin:/bin", "a", "b", true)
	f.Add("", "/x:", "", "", false)
	f.Add("a::b", "::a::b", "x", "x", true)
	f.Fuzz(func(t *testing.T, path0, path1, v0, v1 string, set bool) {
		base := map[string]string{"PATH": path0, "V": v0}
		to := map[string]string{"PATH": path1}
		if set {
			to["V"] = v1
		}
		sameEnv(t, Revert(loaded(base, to)), base)
	})
}

// A shell started before an upgrade carries a state of an earlier format
// (1: DEFLATE-compressed; 2: front coded; both with one stamp for every
// watched file): it still reverts, and its watches count as changed, so
// that the project is evaluated once again. The values are what the
// earlier versions recorded for this switch.
func TestStateOfEarlierFormats(t *testing.T) {
	InflateState = inflate
	t.Cleanup(func() { InflateState = nil })
	for _, v := range []string{format1State, format2State} {
		env := map[string]string{"PATH": "/home/u/gen/bin:/usr/bin:/bin", "EDITOR": "nano", "PROJECT": "p", StateVar: v}
		s, ok := LoadState(env)
		want := []Watch{{"/home/u/p/.noxprofile", true, 0, true, ""}, {"/home/u/p/.noxprofile.lock", true, 0, true, ""}, {"/home/u/p/.env", false, 0, true, ""}}
		if !ok || s.File != "/home/u/p/.noxprofile" || s.Status != Loaded || !slices.Equal(s.Watches, want) || Fresh(s) {
			t.Fatalf("LoadState(%s) = %+v, %v", v, s, ok)
		}
		sameEnv(t, Revert(env), map[string]string{"PATH": "/usr/bin:/bin", "EDITOR": "vi"})
	}
}

// inflate is the InflateState package activate sets, which these tests
// cannot import.
func inflate(raw []byte) ([]byte, error) {
	return io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
}

// TestStateNeedsInflate: without InflateState (the prompt's front), a
// state of format 1 is told apart, so that the front hands it to noxenv,
// and none other is.
func TestStateNeedsInflate(t *testing.T) {
	current := loaded(map[string]string{"A": "1"}, map[string]string{"A": "2"})[StateVar]
	for v, want := range map[string]bool{format1State: true, format2State: false, current: false} {
		env := map[string]string{StateVar: v}
		if got := StateNeedsInflate(env); got != want {
			t.Errorf("%.10s...: StateNeedsInflate = %v, want %v", v, got, want)
		}
		if _, ok := LoadState(env); ok == want {
			t.Errorf("%.10s...: LoadState read it: %v", v, ok)
		}
	}
	if StateNeedsInflate(map[string]string{}) {
		t.Error("no state needs inflating")
	}
	InflateState = inflate
	defer func() { InflateState = nil }()
	if StateNeedsInflate(map[string]string{StateVar: format1State}) {
		t.Error("with InflateState set, format 1 still needs it")
	}
}

const format2State = "2.AgAVL2hvbWUvdS9wLy5ub3hwcm9maWxlAZWal-zjn-fLFwMVAAEVBS5sb2NrAQsDZW52AAADAAZFRElUT1IAAQACdmkA98vO5IbJ162SAQAEUEFUSAEBAQgHZ2VuL2JpbgABBlJPSkVDVAAAAJSapq_8lOmmGQ"

const format1State = "dI5BCgFRHIf_PyN2rCQOMf8ziClsZpreCejhZbw3KZMTOIBGajZ2s5Nz6JWtA1BS9jYWNhYWrL_vqw81npiZ5AXH7GqzjOdmpCKJTbZ9XHY3W3f-CM2fnRuZ4RSVLyZ1QuSUvE5P-CGhkCh62tN1dTzv1ygGLdEFUOXPxFhqHihN5SD0-15bEFGa5YdXes8b7wAAAP__"
