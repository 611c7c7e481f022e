package image

import (
	"slices"
	"strings"
	"testing"
)

func TestEnviron(t *testing.T) {
	const gen = "/home/ada/.local/state/noxenv/generations/k1"
	entry := "/home/ada/.local/share/noxenv/store/h-tool-1"
	inImage := func(d string) bool { return within(d, entry) }
	cases := []struct {
		name             string
		env, from, start map[string]string
		want             string
	}{
		{"a profile, no base",
			map[string]string{"PATH": gen + "/bin", "MANPATH": gen + "/share/man:", "NOXENV_PROFILE": gen, "TOOL_HOME": entry},
			nil, nil,
			"MANPATH=/noxenv/profile/share/man: NOXENV_PROFILE=/noxenv/profile PATH=/noxenv/profile/bin TOOL_HOME=" + entry},
		{"a profile on a base",
			map[string]string{"PATH": gen + "/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
			map[string]string{"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
			map[string]string{"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
			"LANG=C.UTF-8 PATH=/noxenv/profile/bin:/usr/bin:/bin"},
		{"a project: its own variables, none of the session, no host directory on PATH",
			map[string]string{"PATH": gen + "/bin:/home/ada/proj/scripts:" + entry + "/libexec:/usr/local/bin:/usr/bin:/bin",
				"HOME": "/home/ada", "TERM": "xterm", "GREETING_LANG": "fr", "DATA": "/home/ada/proj/data",
				"NOXENV_PROFILE": gen, "XDG_DATA_DIRS": gen + "/share:/usr/local/share:/usr/share"},
			map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/ada", "TERM": "xterm", "GONE": "x"},
			map[string]string{"PATH": "/bin", "GONE": "y", "USER": "app"},
			"DATA=/home/ada/proj/data GREETING_LANG=fr NOXENV_PROFILE=/noxenv/profile PATH=/noxenv/profile/bin:" + entry + "/libexec:/bin USER=app XDG_DATA_DIRS=/noxenv/profile/share:/usr/local/share:/usr/share"},
		{"appended, and a path that only begins like the generation",
			map[string]string{"CLASSPATH": "/a.jar:" + gen + "/lib/x.jar", "OTHER": gen + "2/x:" + gen},
			map[string]string{"CLASSPATH": "/a.jar"},
			map[string]string{"CLASSPATH": "/base.jar"},
			"CLASSPATH=/base.jar:/noxenv/profile/lib/x.jar OTHER=" + gen + "2/x:/noxenv/profile"},
	}
	for _, tc := range cases {
		got := strings.Join(environ(tc.env, tc.from, tc.start, gen, inImage), " ")
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestEnvironSorted(t *testing.T) {
	got := environ(map[string]string{"B": "1", "A": "2", "C": "3"}, nil, nil, "", func(string) bool { return false })
	if !slices.IsSorted(got) || len(got) != 3 {
		t.Fatalf("%q", got)
	}
}
