package profile

import (
	"maps"
	"testing"

	"github.com/noxenv/noxenv/store"
)

func TestEnviron(t *testing.T) {
	sd := t.TempDir()
	full := testEntry(t, sd, "full", "1.0", map[string]string{
		"bin/f": "", "sbin/f": "", "share/man/man1/f.1": "", "share/info/f.info": "",
		"lib/pkgconfig/f.pc": "", "share/pkgconfig/g.pc": "",
	})
	bare := testEntry(t, sd, "bare", "1.0", map[string]string{"etc/bare.conf": ""})
	g, err := build(t.TempDir(), []Member{member(full, 5), member(bare, 5)}, []*store.Entry{full, bare}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := g.Dir
	// What a generation gives variables unset or empty before.
	fresh := map[string]string{
		"PATH":              d + "/bin:" + d + "/sbin",
		"MANPATH":           d + "/share/man:",
		"INFOPATH":          d + "/share/info",
		"PKG_CONFIG_PATH":   d + "/lib/pkgconfig:" + d + "/share/pkgconfig",
		"CMAKE_PREFIX_PATH": d,
		"XDG_DATA_DIRS":     d + "/share:/usr/local/share:/usr/share",
		"NOXENV_PROFILE":    d,
	}
	tests := []struct {
		name string
		gen  *Generation
		env  map[string]string
		want map[string]string
	}{
		{"nil generation", nil, map[string]string{"PATH": "/bin"}, map[string]string{"PATH": "/bin"}},
		{"unset variables", g, map[string]string{}, fresh},
		{"set variables", g, map[string]string{
			"PATH": "/usr/bin:/bin", "MANPATH": "/opt/man", "INFOPATH": "/i",
			"PKG_CONFIG_PATH": "/p", "CMAKE_PREFIX_PATH": "/c", "XDG_DATA_DIRS": "/x", "HOME": "/h",
		}, map[string]string{
			"PATH":              d + "/bin:" + d + "/sbin:/usr/bin:/bin",
			"MANPATH":           d + "/share/man:/opt/man",
			"INFOPATH":          d + "/share/info:/i",
			"PKG_CONFIG_PATH":   d + "/lib/pkgconfig:" + d + "/share/pkgconfig:/p",
			"CMAKE_PREFIX_PATH": d + ":/c",
			"XDG_DATA_DIRS":     d + "/share:/x",
			"NOXENV_PROFILE":    d,
			"HOME":              "/h",
		}},
		{"empty values gain no empty element", g, map[string]string{"PATH": "", "MANPATH": "", "XDG_DATA_DIRS": ""}, fresh},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := maps.Clone(tc.env)
			got := Environ(tc.gen, tc.env)
			if !maps.Equal(got, tc.want) {
				t.Errorf("Environ:\n got %v\nwant %v", got, tc.want)
			}
			if !maps.Equal(before, tc.env) {
				t.Error("Environ modified its argument")
			}
		})
	}
}

func TestEnvironOnlyPresentDirectories(t *testing.T) {
	sd := t.TempDir()
	e := testEntry(t, sd, "e", "1.0", map[string]string{"bin/e": ""})
	g, err := build(t.TempDir(), []Member{member(e, 5)}, []*store.Entry{e}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := Environ(g, map[string]string{"PATH": "/bin"})
	want := map[string]string{"PATH": g.Dir + "/bin:/bin", "CMAKE_PREFIX_PATH": g.Dir, "NOXENV_PROFILE": g.Dir}
	if !maps.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestEnvironSettings(t *testing.T) {
	sd := t.TempDir()
	dep := testEntry(t, sd, "dep", "1.0", map[string]string{"lib/libd.so": ""})
	dep.Info.Env = []store.EnvSetting{
		{Var: "WHO", Op: store.EnvSet, Value: "dep"},
		{Var: "LD_LIBRARY_PATH", Op: store.EnvPrepend, Value: "${prefix}/lib"},
	}
	a := testEntry(t, sd, "a", "1.0", map[string]string{"bin/a": ""}, dep)
	a.Info.Env = []store.EnvSetting{
		{Var: "WHO", Op: store.EnvSet, Value: "a"},
		{Var: "LD_LIBRARY_PATH", Op: store.EnvPrepend, Value: "${prefix}/lib"},
		{Var: "A_HOME", Op: store.EnvSet, Value: "${prefix}"},
		{Var: "TAIL", Op: store.EnvAppend, Value: "${prefix}/t"},
	}
	b := testEntry(t, sd, "b", "1.0", map[string]string{"bin/b": ""})
	b.Info.Env = []store.EnvSetting{{Var: "WHO", Op: store.EnvSet, Value: "b"}}
	g, err := build(t.TempDir(), []Member{member(a, 5), member(b, 6)}, []*store.Entry{a, b, dep}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, gen := range map[string]*Generation{"built": g, "reused": built(g.Dir)} {
		t.Run(name, func(t *testing.T) {
			got := Environ(gen, map[string]string{"LD_LIBRARY_PATH": "/usr/lib", "TAIL": "/x"})
			for k, want := range map[string]string{
				// a has the best rank: its setting wins, its prepend is first.
				"WHO":             "a",
				"LD_LIBRARY_PATH": a.Path + "/lib:" + dep.Path + "/lib:/usr/lib",
				"A_HOME":          a.Path,
				"TAIL":            "/x:" + a.Path + "/t",
			} {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
		})
	}
	if got := Environ(g, map[string]string{})["TAIL"]; got != a.Path+"/t" {
		t.Errorf("append to unset: %q", got)
	}
}
