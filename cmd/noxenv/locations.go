package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/adrg/xdg"

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
	// settingsFiles are the config.toml files, highest precedence first:
	// the user's, then the administrators' of $XDG_CONFIG_DIRS.
	settingsFiles []string
}

func newLocations(env map[string]string) locations {
	// adrg/xdg has read the same process environment as env.
	l := locations{
		userStore:   filepath.Join(xdg.DataHome, "noxenv", "store"),
		stateDir:    filepath.Join(xdg.StateHome, "noxenv"),
		allowDir:    filepath.Join(xdg.DataHome, "noxenv", "allow"),
		profilesDir: filepath.Join(xdg.StateHome, "noxenv", "profiles"),
	}
	l.settingsFiles = []string{filepath.Join(xdg.ConfigHome, "noxenv", settings.FileName)}
	for _, d := range xdg.ConfigDirs {
		l.settingsFiles = append(l.settingsFiles, filepath.Join(d, "noxenv", settings.FileName))
	}
	for _, d := range xdg.DataDirs {
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
	for _, d := range xdg.DataDirs {
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
