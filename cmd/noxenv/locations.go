package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/noxenv/noxenv/settings"
)

// locations are the directories of SPEC §1, computed once per process.
type locations struct {
	// storePath is the store search path, highest precedence first.
	storePath []string
	// userStore is the default user store, initialized on first use.
	userStore string
	// stateDir holds user profiles, generations, roots and project state.
	stateDir string
	// profilesDir holds the user profiles.
	profilesDir string
	// releaseProfileDirs hold administrators' release profiles, in
	// $XDG_DATA_DIRS order.
	releaseProfileDirs []string
	// allowDir holds the trust records.
	allowDir string
	// cacheDir holds what can be computed again (evaluations).
	cacheDir string
	// settingsFiles are the config.toml files, highest precedence first:
	// the user's, then the administrators' of $XDG_CONFIG_DIRS.
	settingsFiles []string
	// keysDir holds the secret keys that key generate writes.
	keysDir string
}

func newLocations(env map[string]string) locations {
	xdg := newXDGDirs(env)
	l := locations{
		userStore:   filepath.Join(xdg.dataHome, "noxenv", "store"),
		stateDir:    filepath.Join(xdg.stateHome, "noxenv"),
		allowDir:    filepath.Join(xdg.dataHome, "noxenv", "allow"),
		cacheDir:    filepath.Join(xdg.cacheHome, "noxenv"),
		profilesDir: filepath.Join(xdg.stateHome, "noxenv", "profiles"),
		keysDir:     filepath.Join(xdg.configHome, "noxenv", "keys"),
	}
	l.settingsFiles = []string{filepath.Join(xdg.configHome, "noxenv", settings.FileName)}
	for _, d := range xdg.configDirs {
		l.settingsFiles = append(l.settingsFiles, filepath.Join(d, "noxenv", settings.FileName))
	}
	for _, d := range xdg.dataDirs {
		l.releaseProfileDirs = append(l.releaseProfileDirs, filepath.Join(d, "noxenv", "profiles"))
	}
	// An empty NOXENV_STORE_PATH counts as unset, as empty XDG variables do.
	if sp := env["NOXENV_STORE_PATH"]; sp != "" {
		for _, d := range strings.Split(sp, ":") {
			if d != "" {
				l.storePath = append(l.storePath, absPath(d))
			}
		}
		return l
	}
	l.storePath = []string{l.userStore}
	// A data directory that exists lists its store, which may be missing.
	for _, d := range xdg.dataDirs {
		if _, err := os.Stat(d); err == nil {
			l.storePath = append(l.storePath, filepath.Join(d, "noxenv", "store"))
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
