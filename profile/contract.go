package profile

// The functions other packages build on. Their bodies are written in the
// profile's own files; this file only fixes their signatures for now.

import "github.com/noxenv/noxenv/store"

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
