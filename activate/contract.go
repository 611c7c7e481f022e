package activate

// The functions other packages build on. Their bodies are written in the
// activate package's own files; this file only fixes their signatures.

import (
	"context"

	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

// FileName is the name of a project's environment file.
const FileName = ".noxprofile"

// Config is where activation finds and keeps things.
type Config struct {
	Stores *store.SearchPath
	// StateDir is $XDG_STATE_HOME/noxenv: generations, roots, projects.
	StateDir string
	// AllowDir holds trust records.
	AllowDir string
	// ProfilesDir and ReleaseProfileDirs are searched by use_profile.
	ProfilesDir        string
	ReleaseProfileDirs []string
	// Stderr receives log_status messages and warnings; nil discards them.
	Stderr interface{ Write([]byte) (int, error) }
}

// Result is an evaluated project environment.
type Result struct {
	File string            // the .noxprofile evaluated
	Env  map[string]string // the whole resulting environment
	// Watched are the files whose change (or appearance, or removal) means
	// the environment must be evaluated again: the .noxprofile, its lock,
	// dotenv, watched and sourced files.
	Watched []string
	// Generation holds the project's packages; nil when it uses none.
	Generation *profile.Generation
}

// Find returns the nearest .noxprofile in dir or its parents, or "" when
// there is none.
func Find(dir string) (string, error) { panic("unimplemented") }

// Evaluate evaluates the trusted file starting from base, the user's own
// environment, and returns the project's environment. An untrusted file
// gives a *BlockedError and is not evaluated.
func Evaluate(ctx context.Context, cfg Config, file string, base map[string]string) (*Result, error) {
	panic("unimplemented")
}
