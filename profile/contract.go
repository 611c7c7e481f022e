package profile

// The functions other packages build on. Their bodies are written in the
// profile's own files; this file only fixes their signatures for now.

import (
	"time"

	"github.com/noxenv/noxenv/store"
)

// DefaultPriority is the priority of a member added without --priority.
const DefaultPriority = 5

// Member is one package of a profile, identified by its name.
type Member struct {
	Name     string       `json:"name"`
	Request  string       `json:"request"` // NAME or NAME@CONSTRAINT, re-resolved by upgrade
	ID       string       `json:"id"`      // the resolved entry
	Priority int          `json:"priority"`
	Entry    *store.Entry `json:"-"`
}

// Generation is a realized member set: a symlink forest under Dir.
type Generation struct {
	Dir     string
	Members []Member
	// Entries is the closure of the members, members first.
	Entries []*store.Entry
}

// Realize returns the generation of members (their closure included) under
// gensDir, building it only when that member set has not been built yet.
func Realize(sp *store.SearchPath, gensDir string, members []Member) (*Generation, error) {
	panic("unimplemented")
}

// Environ applies SPEC §4.4 for g to env and returns the new environment;
// env is not modified. A nil g returns a copy of env.
func Environ(g *Generation, env map[string]string) map[string]string {
	panic("unimplemented")
}

// Manifest is what a realized generation records beside its tree, enough
// for gc to know what it keeps alive without the search path.
type Manifest struct {
	Members []Member        `json:"members"`
	Entries []ManifestEntry `json:"entries"` // the closure
}

// ManifestEntry is one entry a generation links into.
type ManifestEntry struct {
	ID   string `json:"id"`
	Path string `json:"path"` // the entry's directory when realized
}

// LoadManifest reads the manifest of the generation tree at dir.
func LoadManifest(dir string) (*Manifest, error) { panic("unimplemented") }

// Profile is a named, release or ad hoc profile: a symlink at Path to its
// current generation link PATH-N-link, beside it.
type Profile struct {
	Path     string
	ReadOnly bool // release profiles
}

// GenerationInfo is one numbered generation of a profile.
type GenerationInfo struct {
	Number  int
	Time    time.Time
	Dir     string // the generation tree it links to
	Current bool
}

// Generations lists p's generations, oldest first.
func (p *Profile) Generations() ([]GenerationInfo, error) { panic("unimplemented") }

// Switch makes g the current generation of p as a new numbered generation
// (reusing the current number when g is already current), atomically.
func (p *Profile) Switch(g *Generation) error { panic("unimplemented") }

// DeleteGenerations deletes generations as Nix does: "old" (all but the
// current), "+K" (all but the current and K-1 before it), "Nd" (older
// than N days). The current generation is never deleted.
func (p *Profile) DeleteGenerations(spec string) error { panic("unimplemented") }

// RegisterAdHoc records the ad hoc profile at path as a gc root under
// stateDir; a root whose profile no longer exists is pruned by gc.
func RegisterAdHoc(stateDir, path string) error { panic("unimplemented") }
