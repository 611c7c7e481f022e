package front

import (
	"reflect"
	"testing"
)

// The XDG directories follow github.com/adrg/xdg (SPEC §1): defaults under
// HOME, ~ and $HOME expanded, relative values ignored, lists without
// repeats.
func TestXDGDirs(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want xdgDirs
	}{
		{
			env: map[string]string{"HOME": "/h"},
			want: xdgDirs{dataHome: "/h/.local/share", configHome: "/h/.config", stateHome: "/h/.local/state", cacheHome: "/h/.cache",
				dataDirs: []string{"/usr/local/share", "/usr/share"}, configDirs: []string{"/etc/xdg"}},
		},
		{
			env: map[string]string{"HOME": "/h", "XDG_DATA_HOME": "~/d", "XDG_CONFIG_HOME": "$HOME/c", "XDG_STATE_HOME": "rel/s", "XDG_CACHE_HOME": "/c/",
				"XDG_DATA_DIRS": "/a:rel:~/b:/a::/c", "XDG_CONFIG_DIRS": "rel"},
			want: xdgDirs{dataHome: "/h/d", configHome: "/h/c", stateHome: "/h/.local/state", cacheHome: "/c/",
				dataDirs: []string{"/a", "/h/b", "/c"}, configDirs: []string{"/etc/xdg"}},
		},
		{
			env: map[string]string{"XDG_DATA_HOME": ""},
			want: xdgDirs{dataHome: "/.local/share", configHome: "/.config", stateHome: "/.local/state", cacheHome: "/.cache",
				dataDirs: []string{"/usr/local/share", "/usr/share"}, configDirs: []string{"/etc/xdg"}},
		},
	} {
		if got := newXDGDirs(tc.env); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tc.env, got, tc.want)
		}
	}
}

// A settings file is read once, even when XDG_CONFIG_DIRS lists
// XDG_CONFIG_HOME too, or one directory twice: its warnings are said once.
func TestSettingsFilesOnce(t *testing.T) {
	env := map[string]string{"HOME": "/h", "XDG_CONFIG_HOME": "/h/c", "XDG_CONFIG_DIRS": "/h/c/:/etc/xdg:/etc/xdg/:/h/c"}
	want := []string{"/h/c/noxenv/config.toml", "/etc/xdg/noxenv/config.toml"}
	if got := NewLocations(env).SettingsFiles; !reflect.DeepEqual(got, want) {
		t.Errorf("settings files %q, want %q", got, want)
	}
}
