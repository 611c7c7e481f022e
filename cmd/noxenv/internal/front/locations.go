package front

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/noxenv/noxenv/settings"
)

// Locations are the directories of SPEC §1, computed once per process.
type Locations struct {
	// StorePath is the store search path, highest precedence first.
	StorePath []string
	// UserStore is the default user store, initialized on first use.
	UserStore string
	// StateDir holds user profiles, generations, roots and project state.
	StateDir string
	// ProfilesDir holds the user profiles.
	ProfilesDir string
	// ReleaseProfileDirs hold administrators' release profiles, in
	// $XDG_DATA_DIRS order.
	ReleaseProfileDirs []string
	// AllowDir holds the trust records.
	AllowDir string
	// CacheDir holds what can be computed again (evaluations).
	CacheDir string
	// SettingsFiles are the config.toml files, highest precedence first:
	// the user's, then the administrators' of $XDG_CONFIG_DIRS.
	SettingsFiles []string
	// KeysDir holds the secret keys that key generate writes.
	KeysDir string
}

func NewLocations(env map[string]string) Locations {
	xdg := newXDGDirs(env)
	l := Locations{
		UserStore:   filepath.Join(xdg.dataHome, "noxenv", "store"),
		StateDir:    filepath.Join(xdg.stateHome, "noxenv"),
		AllowDir:    filepath.Join(xdg.dataHome, "noxenv", "allow"),
		CacheDir:    filepath.Join(xdg.cacheHome, "noxenv"),
		ProfilesDir: filepath.Join(xdg.stateHome, "noxenv", "profiles"),
		KeysDir:     filepath.Join(xdg.configHome, "noxenv", "keys"),
	}
	// XDG_CONFIG_DIRS may list XDG_CONFIG_HOME too: a file is read once.
	l.SettingsFiles = []string{filepath.Join(xdg.configHome, "noxenv", settings.FileName)}
	for _, d := range xdg.configDirs {
		if f := filepath.Join(d, "noxenv", settings.FileName); !slices.Contains(l.SettingsFiles, f) {
			l.SettingsFiles = append(l.SettingsFiles, f)
		}
	}
	for _, d := range xdg.dataDirs {
		l.ReleaseProfileDirs = append(l.ReleaseProfileDirs, filepath.Join(d, "noxenv", "profiles"))
	}
	// An empty NOXENV_STORE_PATH counts as unset, as empty XDG variables do.
	if sp := env["NOXENV_STORE_PATH"]; sp != "" {
		for _, d := range strings.Split(sp, ":") {
			if d != "" {
				l.StorePath = append(l.StorePath, absPath(d))
			}
		}
		return l
	}
	l.StorePath = []string{l.UserStore}
	// A data directory that exists lists its store, which may be missing.
	for _, d := range xdg.dataDirs {
		if _, err := os.Stat(d); err == nil {
			l.StorePath = append(l.StorePath, filepath.Join(d, "noxenv", "store"))
		}
	}
	return l
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
