package activate

import (
	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/settings"
	"github.com/noxenv/noxenv/store"
)

// Config is where activation finds and keeps things.
type Config struct {
	// Places are the directories. When Stores is nil, OpenStores opens
	// the store search path, once an evaluation runs: a result found in
	// the cache opens no store. Places.StoreDirs are then its
	// directories, which the cache keys on.
	prompt.Places
	Stores     *store.SearchPath
	OpenStores func() (*store.SearchPath, error)
	// Download fetches a URL for fetchurl; nil: fetchurl takes only what
	// the cache directory holds.
	Download Download
	// Settings returns noxenv's settings (eval-timeout, ...); it is
	// called only when a setting is needed, so that a cached evaluation
	// reads no settings file. Nil means the defaults.
	Settings func() (*settings.Settings, error)
	// SettingsFiles are the files Settings reads: an evaluation that
	// cannot read its settings watches them, so that mending one
	// evaluates the project again.
	SettingsFiles []string
	// Stderr receives the script's output, log_status messages and
	// warnings; nil discards them.
	Stderr interface{ Write([]byte) (int, error) }
	// Quiet drops log_status messages and warnings (NOXENV_LOG=quiet).
	Quiet bool
}

// Result is an evaluated project environment.
type Result struct {
	File string            // the .noxprofile evaluated
	Env  map[string]string // the whole resulting environment
	// Watched are the files whose change (or appearance, or removal) means
	// the environment must be evaluated again, as the evaluation saw
	// them: the .noxprofile, its lock and trust record, dotenv, watched
	// and sourced files, and the trust records of the sourced ones.
	Watched []prompt.Watch
	// Generation holds the project's packages; nil when it uses none.
	// From the cache, only its Dir is set.
	Generation *profile.Generation
}

// settings returns the settings, or the defaults when none are given.
func (c Config) settings() (*settings.Settings, error) {
	if c.Settings == nil {
		return settings.Load(nil, nil, nil)
	}
	return c.Settings()
}

// places returns the directories, those of the stores opened included.
func (c Config) places() prompt.Places {
	p := c.Places
	p.StoreDirs = c.storeDirs()
	return p
}

// storeDirs returns the directories of the store search path.
func (c Config) storeDirs() []string {
	if c.Stores == nil {
		return c.StoreDirs
	}
	dirs := make([]string, len(c.Stores.Stores))
	for i, s := range c.Stores.Stores {
		dirs[i] = s.Dir
	}
	return dirs
}
