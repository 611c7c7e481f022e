package profile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/noxenv/noxenv/store"
)

// ManifestFile is the name of the manifest inside each generation tree. It
// lives in the tree, not beside it, so that a generation appears complete
// with its manifest in one rename and goes away in one removal.
const ManifestFile = ".noxmanifest.json"

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
	// The rest lets a reused generation present its entries without
	// reading the stores again.
	Name       string             `json:"name"`
	Version    string             `json:"version"`
	Priority   int                `json:"priority"`
	Dependency bool               `json:"dependency,omitempty"` // in the closure only, not a member
	Plain      bool               `json:"plain,omitempty"`
	References []string           `json:"references,omitempty"`
	Env        []store.EnvSetting `json:"env,omitempty"`
}

// LoadManifest reads the manifest of the generation tree at dir.
func LoadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("generation %s: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("generation %s: manifest: %w", dir, err)
	}
	return &m, nil
}

// manifestOf describes g for its manifest.
func manifestOf(g *Generation) *Manifest {
	m := &Manifest{Members: g.Members, Entries: make([]ManifestEntry, len(g.Entries))}
	for i, e := range g.Entries {
		r := g.rankOf(i)
		me := ManifestEntry{ID: e.ID, Path: e.Path, Name: e.Name, Version: e.Version,
			Priority: r.priority, Dependency: r.dep, Plain: e.Plain()}
		if e.Info != nil {
			me.References = e.Info.References
			me.Env = e.Info.Env
		}
		m.Entries[i] = me
	}
	if m.Members == nil {
		m.Members = []Member{}
	}
	return m
}

// generationOf rebuilds the generation at dir from its manifest.
func generationOf(dir string, m *Manifest) *Generation {
	g := &Generation{Dir: dir, Members: m.Members}
	for _, me := range m.Entries {
		g.add(me)
	}
	return g
}

// add appends the entry me of g's manifest to g.
func (g *Generation) add(me ManifestEntry) {
	// The entry and its metadata in one allocation: a reused generation
	// of 200 members makes 200 of them.
	ei := &struct {
		e store.Entry
		i store.Info
	}{e: store.Entry{ID: me.ID, Name: me.Name, Version: me.Version, Path: me.Path}}
	if !me.Plain {
		ei.i = store.Info{Name: me.Name, Version: me.Version, References: me.References, Env: me.Env}
		ei.e.Info = &ei.i
	}
	g.Entries = append(g.Entries, &ei.e)
	g.ranks = append(g.ranks, rank{priority: me.Priority, dep: me.Dependency})
}

func writeManifest(dir string, m *Manifest) error {
	// Compact: reusing a generation reads it, and that is on the path of
	// every activation.
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644)
}
