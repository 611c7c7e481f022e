package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/noxenv/noxenv/store"
)

// RootKind says what keeps a generation alive.
type RootKind string

const (
	RootProfile RootKind = "profile" // a user profile
	RootRelease RootKind = "release" // a release profile, read-only
	RootAdHoc   RootKind = "adhoc"   // an ad hoc profile that still exists
	RootProject RootKind = "project" // a project whose .noxprofile exists
	RootSession RootKind = "session" // a live noxenv shell
	// RootRecorded is another user's root, as recorded in a shared store.
	RootRecorded RootKind = "recorded"
)

// Root is one generation that something keeps alive.
type Root struct {
	Kind RootKind `json:"kind"`
	// Name is the profile's name or path, the project's directory, or
	// the session's file.
	Name string `json:"name"`
	// Link is the generation link or session file that roots it.
	Link   string `json:"link"`
	Number int    `json:"number,omitempty"`
	// Current marks the generation a profile or project uses now.
	Current bool `json:"current,omitempty"`
	// Generation is the generation tree.
	Generation string `json:"generation"`
}

// Dangling is a registration whose root is gone: an ad hoc profile
// deleted, a project whose .noxprofile was deleted, a session that ended,
// or what an interrupted gc left of one.
type Dangling struct {
	Kind RootKind `json:"kind"`
	Name string   `json:"name"`
	Path string   `json:"path"` // what gc removes
}

// Places are where roots live.
type Places struct {
	StateDir    string   // $XDG_STATE_HOME/noxenv
	ProfilesDir string   // the user profiles
	ReleaseDirs []string // the release profile directories
	// ProcDir, when set, is /proc: the environments of running processes
	// name the generations they use.
	ProcDir string
}

func (pl Places) generationsDir() string { return GenerationsDir(pl.StateDir) }

// Roots is what gc keeps and what it removes before sweeping the stores.
type Roots struct {
	Live []Root
	// Doomed are the generations the policy deletes: their links go.
	Doomed   []Root
	Dangling []Dangling
	// Unused are generation trees under the state directory that no live
	// root uses.
	Unused []string

	// policy is the delete-generations spec applied to user profiles and
	// projects; doomedIn are the profiles it deletes generations of.
	policy   string
	doomedIn []*Profile
}

// FindRoots enumerates every root under pl. policy, when not "", is a
// delete-generations spec ("+K", "Nd", "old"; see DeleteGenerations) for
// the previous generations of user profiles and projects: the generations
// it selects are doomed, not live. FindRoots changes nothing on disk; the
// caller holds the stores' Guard(true), so no root is being made
// meanwhile.
func FindRoots(pl Places, policy string) (*Roots, error) {
	if policy != "" {
		if _, err := parseSpec(policy, time.Now()); err != nil {
			return nil, err
		}
	}
	r := &Roots{policy: policy}
	if err := r.addProfiles(RootProfile, pl.ProfilesDir); err != nil {
		return nil, err
	}
	for _, d := range pl.ReleaseDirs {
		if err := r.addProfiles(RootRelease, d); err != nil {
			return nil, err
		}
	}
	if err := r.addAdHoc(pl); err != nil {
		return nil, err
	}
	if err := r.addProjects(pl); err != nil {
		return nil, err
	}
	if err := r.addSessions(pl); err != nil {
		return nil, err
	}
	if err := r.addShells(pl); err != nil {
		return nil, err
	}
	r.addProcesses(pl)
	if err := r.findUnused(pl); err != nil {
		return nil, err
	}
	return r, nil
}

// readDir lists dir; a missing dir is empty.
func readDir(dir string) ([]os.DirEntry, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return des, err
}

// addProfiles adds the generations of every profile in dir.
func (r *Roots) addProfiles(kind RootKind, dir string) error {
	des, err := readDir(dir)
	if err != nil {
		return fmt.Errorf("profiles %s: %w", dir, err)
	}
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") || isLinkName(name) || de.Type()&os.ModeSymlink == 0 {
			continue
		}
		p := &Profile{Path: filepath.Join(dir, name), ReadOnly: kind == RootRelease}
		if err := r.addProfile(kind, name, p); err != nil {
			return err
		}
	}
	return nil
}

// addProfile adds p's generations: live, or doomed by the policy for user
// profiles and projects.
func (r *Roots) addProfile(kind RootKind, name string, p *Profile) error {
	gens, err := p.Generations()
	if err != nil {
		return fmt.Errorf("profile %s: %w", p.Path, err)
	}
	doomed := map[int]bool{}
	if r.policy != "" && (kind == RootProfile || kind == RootProject) {
		sel, err := p.PlanDeleteGenerations(r.policy)
		if err != nil {
			return err
		}
		for _, g := range sel {
			doomed[g.Number] = true
		}
		if len(sel) > 0 {
			r.doomedIn = append(r.doomedIn, p)
		}
	}
	for _, g := range gens {
		root := Root{
			Kind: kind, Name: name, Number: g.Number, Current: g.Current,
			Link: p.linkPath(g.Number), Generation: filepath.Clean(g.Dir),
		}
		if doomed[g.Number] {
			r.Doomed = append(r.Doomed, root)
		} else {
			r.Live = append(r.Live, root)
		}
	}
	return nil
}

// adHocDir holds the registrations of ad hoc profiles: symlinks to them.
func (pl Places) adHocDir() string { return filepath.Join(pl.StateDir, "roots", "adhoc") }

func (r *Roots) addAdHoc(pl Places) error {
	dir := pl.adHocDir()
	des, err := readDir(dir)
	if err != nil {
		return fmt.Errorf("ad hoc roots %s: %w", dir, err)
	}
	for _, de := range des {
		reg := filepath.Join(dir, de.Name())
		target, err := os.Readlink(reg)
		if err != nil {
			if !strings.HasPrefix(de.Name(), ".") {
				r.Dangling = append(r.Dangling, Dangling{Kind: RootAdHoc, Name: de.Name(), Path: reg})
			}
			continue
		}
		if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
			r.Dangling = append(r.Dangling, Dangling{Kind: RootAdHoc, Name: target, Path: reg})
			continue
		}
		if err := r.addProfile(RootAdHoc, target, &Profile{Path: target}); err != nil {
			return err
		}
	}
	return nil
}

func (pl Places) projectsDir() string { return filepath.Join(pl.StateDir, "projects") }

// addProjects adds each project whose .noxprofile exists; the others, and
// what an interrupted prune left, are dangling.
func (r *Roots) addProjects(pl Places) error {
	dir := pl.projectsDir()
	des, err := readDir(dir)
	if err != nil {
		return fmt.Errorf("projects %s: %w", dir, err)
	}
	for _, de := range des {
		pdir := filepath.Join(dir, de.Name())
		if strings.HasPrefix(de.Name(), ".") {
			r.Dangling = append(r.Dangling, Dangling{Kind: RootProject, Name: de.Name(), Path: pdir})
			continue
		}
		b, err := os.ReadFile(filepath.Join(pdir, "noxprofile"))
		file := strings.TrimSpace(string(b))
		if err == nil {
			_, err = os.Stat(file)
		}
		if errors.Is(err, os.ErrNotExist) {
			name := pdir // its .noxprofile is not even recorded
			if file != "" {
				name = filepath.Dir(file)
			}
			r.Dangling = append(r.Dangling, Dangling{Kind: RootProject, Name: name, Path: pdir})
			continue
		}
		if err != nil {
			return fmt.Errorf("project %s: %w", pdir, err)
		}
		p := &Profile{Path: filepath.Join(pdir, "profile")}
		if _, err := os.Lstat(p.Path); errors.Is(err, os.ErrNotExist) {
			continue // evaluated, but uses no packages
		}
		if err := r.addProfile(RootProject, filepath.Dir(file), p); err != nil {
			return err
		}
	}
	return nil
}

// addSessions adds the generation of each live noxenv shell. A session
// holds an exclusive lock on its file for its whole life: a file gc can
// lock belongs to a session that ended.
func (r *Roots) addSessions(pl Places) error {
	dir := filepath.Join(pl.StateDir, "sessions")
	des, err := readDir(dir)
	if err != nil {
		return fmt.Errorf("sessions %s: %w", dir, err)
	}
	for _, de := range des {
		p := filepath.Join(dir, de.Name())
		live, gen, err := sessionLive(p)
		if err != nil {
			return fmt.Errorf("session %s: %w", p, err)
		}
		if !live {
			r.Dangling = append(r.Dangling, Dangling{Kind: RootSession, Name: de.Name(), Path: p})
			continue
		}
		r.Live = append(r.Live, Root{Kind: RootSession, Name: de.Name(), Link: p, Current: true, Generation: gen})
	}
	return nil
}

// sessionLive tries to lock the session file p: a lock taken means the
// session ended.
func sessionLive(p string) (live bool, gen string, err error) {
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	defer f.Close()
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if err == nil {
		return false, "", nil // closing f releases the lock
	}
	if err != unix.EWOULDBLOCK {
		return false, "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return false, "", err
	}
	return true, strings.TrimSpace(string(b)), nil
}

// findUnused lists the generation trees that no live root uses, and what
// interrupted builds and removals left (no build is in progress: builders
// hold the stores' shared guard, gc the exclusive one).
func (r *Roots) findUnused(pl Places) error {
	dir := pl.generationsDir()
	des, err := readDir(dir)
	if err != nil {
		return fmt.Errorf("generations %s: %w", dir, err)
	}
	// Roots may spell a tree's path differently (symlinked or relative
	// state directories): a tree is known by its file identity.
	used := make(map[fileID]bool, len(r.Live))
	for _, root := range r.Live {
		if id, ok := fileIDOf(os.Stat(root.Generation)); ok {
			used[id] = true
		}
	}
	for _, de := range des {
		p := filepath.Join(dir, de.Name())
		if id, ok := fileIDOf(os.Lstat(p)); ok && !used[id] {
			r.Unused = append(r.Unused, p)
		}
	}
	sort.Strings(r.Unused)
	return nil
}

// fileID identifies a file whatever path leads to it.
type fileID struct{ dev, ino uint64 }

func fileIDOf(fi os.FileInfo, err error) (fileID, bool) {
	if err != nil {
		return fileID{}, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), st.Ino}, true
}

// trashPrefix starts the hidden name a tree is renamed to while it is
// removed, so that it vanishes at once for readers.
const trashPrefix = ".trash-"

// Prune deletes the doomed generations' links (DeleteGenerations, which
// never deletes a generation that became current meanwhile) and the
// dangling registrations. The generation trees are left: the caller finds
// the roots again and removes what is unused then (RemoveUnused), so
// nothing still linked is ever removed. step is called before each change
// on disk; its error stops the prune there.
func (r *Roots) Prune(step func() error) error {
	for _, p := range r.doomedIn {
		if err := step(); err != nil {
			return err
		}
		if err := p.DeleteGenerations(r.policy); err != nil {
			return err
		}
	}
	for _, d := range r.Dangling {
		if err := removeAside(d.Path, step); err != nil {
			return err
		}
	}
	return nil
}

// RemoveUnused removes the unused generation trees, each renamed aside
// first, so that an interrupted removal leaves no partial tree under a
// generation's name.
func (r *Roots) RemoveUnused(step func() error) error {
	for _, p := range r.Unused {
		if err := removeAside(p, step); err != nil {
			return err
		}
	}
	return nil
}

// removeAside removes p: renamed to a hidden trash name first, unless it
// is one already, so that an interrupted removal leaves no half tree under
// p's name.
func removeAside(p string, step func() error) error {
	if err := step(); err != nil {
		return err
	}
	trash := p
	if !strings.HasPrefix(filepath.Base(p), ".") {
		trash = filepath.Join(filepath.Dir(p), trashPrefix+filepath.Base(p))
		if err := os.Rename(p, trash); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	return store.RemoveTree(trash, step)
}

// Entries maps each live generation to the entries it keeps alive, read
// from its manifest. A generation whose tree is gone keeps nothing.
func (r *Roots) Entries() (map[string][]ManifestEntry, error) {
	out := make(map[string][]ManifestEntry, len(r.Live))
	for _, root := range r.Live {
		if _, done := out[root.Generation]; done {
			continue
		}
		if _, err := os.Stat(root.Generation); errors.Is(err, os.ErrNotExist) {
			out[root.Generation] = nil
			continue
		}
		m, err := LoadManifest(root.Generation)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", root.Kind, root.Name, err)
		}
		out[root.Generation] = m.Entries
	}
	return out, nil
}
