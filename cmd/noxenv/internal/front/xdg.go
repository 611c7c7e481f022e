package front

import (
	"path/filepath"
	"slices"
	"strings"
)

// xdgDirs are the XDG base directories noxenv uses, read from an
// environment with github.com/adrg/xdg's semantics (SPEC §1): a value
// may start with ~ or $HOME; a value that is empty or not absolute
// falls back to the default; lists keep their absolute entries once each.
// Read here, from the environment noxenv was given as a value, rather than
// by that package, whose initialisation reads the process environment and
// files at every start, prompts included.
type xdgDirs struct {
	dataHome, configHome, stateHome, cacheHome string
	dataDirs, configDirs                       []string
}

func newXDGDirs(env map[string]string) xdgDirs {
	home := env["HOME"]
	if home == "" {
		home = "/"
	}
	expand := func(p string) string {
		switch {
		case strings.HasPrefix(p, "~"):
			return filepath.Join(home, p[1:])
		case strings.HasPrefix(p, "$HOME"):
			return filepath.Join(home, p[len("$HOME"):])
		}
		return p
	}
	one := func(name string, def ...string) string {
		if p := expand(env[name]); filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(append([]string{home}, def...)...)
	}
	list := func(name string, def ...string) []string {
		var dirs []string
		for _, p := range filepath.SplitList(env[name]) {
			if p = filepath.Clean(expand(p)); filepath.IsAbs(p) && !slices.Contains(dirs, p) {
				dirs = append(dirs, p)
			}
		}
		if len(dirs) == 0 {
			return def
		}
		return dirs
	}
	return xdgDirs{
		dataHome:   one("XDG_DATA_HOME", ".local", "share"),
		configHome: one("XDG_CONFIG_HOME", ".config"),
		stateHome:  one("XDG_STATE_HOME", ".local", "state"),
		cacheHome:  one("XDG_CACHE_HOME", ".cache"),
		dataDirs:   list("XDG_DATA_DIRS", "/usr/local/share", "/usr/share"),
		configDirs: list("XDG_CONFIG_DIRS", "/etc/xdg"),
	}
}
