//go:build !front

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

func newGCCmd(a *app) *cobra.Command {
	var (
		dryRun    bool
		keep      int
		olderThan string
	)
	cmd := &cobra.Command{
		Use:   "gc [--dry-run] [--keep N | --older-than DURATION]",
		Short: "Delete what no root keeps alive",
		Long: `Delete every entry of the writable stores that no root keeps alive:
user, release and ad hoc profiles, projects whose .noxprofile exists,
live noxenv shell sessions, and the roots of other state directories (other
users, other homes, other machines) recorded in the stores.
With --keep or --older-than, first delete the older generations of user
profiles and projects (never a current one).`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			policy, err := gcPolicy(cmd, keep, olderThan)
			if err != nil {
				return front.UsageError{Err: err}
			}
			return a.gc(dryRun, policy)
		},
	}
	f := cmd.Flags()
	dryRunFlag(cmd, &dryRun)
	f.IntVar(&keep, "keep", 0, "keep the `N` most recent generations of each profile and project")
	f.StringVar(&olderThan, "older-than", "", "delete generations older than `DURATION` (30d, 12h, 90m)")
	return cmd
}

// dryRunFlag adds --dry-run, also -n (as make and rsync have it), to a
// command that can print its plan instead of acting.
func dryRunFlag(c *cobra.Command, v *bool) {
	c.Flags().BoolVarP(v, "dry-run", "n", false, "print what would be deleted, delete nothing")
}

// gcPolicy turns the flags into a delete-generations spec for the
// previous generations of user profiles and projects ("" for none).
func gcPolicy(cmd *cobra.Command, keep int, olderThan string) (string, error) {
	keepSet, olderSet := cmd.Flags().Changed("keep"), cmd.Flags().Changed("older-than")
	switch {
	case keepSet && olderSet:
		return "", fmt.Errorf("--keep and --older-than exclude each other")
	case keepSet && keep < 1:
		return "", fmt.Errorf("--keep %d: want at least 1", keep)
	case keepSet:
		return "+" + strconv.Itoa(keep), nil
	case olderSet:
		if _, err := profile.ParseAge(olderThan); err != nil {
			return "", fmt.Errorf("--older-than %q: %w", olderThan, err)
		}
		return olderThan, nil
	}
	return "", nil
}

// gcKillAfter is a test hook: the environment variable makes gc kill
// itself with SIGKILL before its Nth change on disk, so tests can check
// that a gc killed at any point leaves every root working.
const gcKillAfter = "NOXENV_TEST_GC_KILL_AFTER"

// gcStep returns the step function handed to the deletions.
func (a *app) gcStep() func() error {
	n, err := strconv.Atoi(a.Env[gcKillAfter])
	if err != nil {
		return func() error { return nil }
	}
	return func() error {
		if n--; n < 0 {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		return nil
	}
}

func (a *app) places() profile.Places {
	return profile.Places{
		StateDir:    a.Loc.StateDir,
		ProfilesDir: a.Loc.ProfilesDir,
		ReleaseDirs: a.Loc.ReleaseProfileDirs,
		ProcDir:     "/proc",
	}
}

// collection is everything a gc has found: the roots, what they keep
// alive, and the plan for the stores.
type collection struct {
	roots *profile.Roots
	// entries maps each live generation to what it keeps alive.
	entries map[string][]profile.ManifestEntry
	// records are the roots of every state directory, as the stores
	// record them.
	records []store.RootRecord
	owner   store.Owner
}

// collect reads what roots keep alive: their generations' manifests and
// the records of every state directory in the stores. The caller holds Guard(true) if
// it deletes anything on the strength of it.
func collect(sp *store.SearchPath, pl profile.Places, roots *profile.Roots) (*collection, error) {
	entries, err := roots.Entries()
	if err != nil {
		return nil, err
	}
	records, err := sp.RootRecords()
	if err != nil {
		return nil, err
	}
	owner, err := profile.RecordOwner(pl.StateDir)
	if err != nil {
		return nil, err
	}
	return &collection{roots: roots, entries: entries, records: records, owner: owner}, nil
}

// damaged returns the first record of another state directory that is
// damaged, nil when none is: what it keeps alive is unknown, so nothing
// may be deleted. The collection's own damaged records are written again.
func (c *collection) damaged() error {
	for _, r := range c.records {
		if r.Damaged != nil && r.Owner != c.owner.Name {
			return r.Damaged
		}
	}
	return nil
}

// live is the set of ids the roots keep alive, with what the records of
// every other state directory keep. Ids are kept in every store holding them.
func (c *collection) live() map[string]bool {
	live := make(map[string]bool)
	for _, es := range c.entries {
		for _, e := range es {
			live[e.ID] = true
		}
	}
	for _, r := range c.records {
		if r.Owner != c.owner.Name {
			for _, id := range r.IDs {
				live[id] = true
			}
		}
	}
	return live
}

// ownRecords maps each live generation, by name, to the entry paths it
// keeps alive, as the stores record it.
func (c *collection) ownRecords() map[string][]string {
	out := make(map[string][]string, len(c.entries))
	for gen, es := range c.entries {
		paths := make([]string, len(es))
		for i, e := range es {
			paths[i] = e.Path
		}
		out[filepath.Base(gen)] = append(out[filepath.Base(gen)], paths...)
	}
	return out
}

// gc collects garbage: it finds the roots and plans; with dryRun it
// prints the plan, else it deletes the doomed generations and dangling
// roots, finds the roots again (what is left is exactly what stays
// linked), removes the unused generation trees and sweeps the stores,
// dependents first. It holds the stores' exclusive guard throughout.
func (a *app) gc(dryRun bool, policy string) error {
	sp, release, err := a.guardedStores(true)
	if err != nil {
		return err
	}
	defer release()
	pl := a.places()
	roots, err := profile.FindRoots(pl, policy)
	if err != nil {
		return err
	}
	w := a.Stdout
	for _, d := range roots.Doomed {
		fmt.Fprintf(w, "generation %s %s %d\n", d.Kind, d.Name, d.Number)
	}
	for _, d := range roots.Dangling {
		fmt.Fprintf(w, "dangling   %s %s\n", d.Kind, d.Name)
	}
	doomed := len(roots.Doomed)
	step := a.gcStep()
	if !dryRun {
		if err := roots.Prune(step); err != nil {
			return err
		}
		if roots, err = profile.FindRoots(pl, ""); err != nil {
			return err
		}
	}
	c, err := collect(sp, pl, roots)
	if err != nil {
		return err
	}
	if err := c.damaged(); err != nil {
		return err
	}
	plan, err := sp.PlanSweep(c.live())
	if err != nil {
		return err
	}
	for _, p := range c.roots.Unused {
		fmt.Fprintf(w, "unused     %s\n", p)
	}
	for _, l := range plan.Leftovers {
		fmt.Fprintf(w, "leftover   %s\n", l.Path())
	}
	printEntry := func(g store.Garbage) { fmt.Fprintf(w, "entry      %9s  %s\n", humanSize(g.Size), g.Path()) }
	summary := fmt.Sprintf("%s: %s, %s, %s; %s kept", humanSize(plan.Size()),
		count(len(plan.Garbage), "entry", "entries"), count(doomed, "generation", "generations"),
		count(len(c.roots.Unused), "generation tree", "generation trees"), count(plan.Kept, "entry", "entries"))
	if dryRun {
		for _, g := range plan.Garbage {
			printEntry(g)
		}
		fmt.Fprintf(w, "would free %s\n", summary)
		return nil
	}
	if err := c.roots.RemoveUnused(step); err != nil {
		return err
	}
	if err := sp.SyncRecords(c.owner, c.ownRecords(), step); err != nil {
		return err
	}
	if err := store.Sweep(plan, store.SweepOptions{Step: step, Deleted: printEntry}); err != nil {
		return err
	}
	fmt.Fprintf(w, "freed %s\n", summary)
	return nil
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// humanSize writes n bytes in binary units.
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// newSurveyCmd is `noxenv store survey`.
func newSurveyCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "survey [--json]",
		Short: "List every root and the entries it keeps alive",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.survey(asJSON)
		},
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}

// surveyRoot is one root of the survey and, by store, what it keeps alive.
type surveyRoot struct {
	profile.Root
	// Owner names another state directory's root recorded in a store,
	// Origin where that state directory is (when it said).
	Owner  string        `json:"owner,omitempty"`
	Origin *store.Origin `json:"origin,omitempty"`
	// Gone marks a state directory of this host that is no longer there.
	Gone bool `json:"gone,omitempty"`
	// Damaged says why a record cannot be read (what it keeps is
	// unknown).
	Damaged string              `json:"damaged,omitempty"`
	Stores  map[string][]string `json:"stores"`
}

type surveyReport struct {
	Roots    []surveyRoot       `json:"roots"`
	Dangling []profile.Dangling `json:"dangling"`
}

func (a *app) survey(asJSON bool) error {
	sp, err := a.stores()
	if err != nil {
		return err
	}
	pl := a.places()
	roots, err := profile.FindRoots(pl, "")
	if err != nil {
		return err
	}
	c, err := collect(sp, pl, roots)
	if err != nil {
		return err
	}
	rep := surveyReport{Roots: []surveyRoot{}, Dangling: c.roots.Dangling}
	if rep.Dangling == nil {
		rep.Dangling = []profile.Dangling{}
	}
	for _, root := range c.roots.Live {
		sr := surveyRoot{Root: root, Stores: map[string][]string{}}
		for _, e := range c.entries[root.Generation] {
			d := filepath.Dir(e.Path)
			sr.Stores[d] = append(sr.Stores[d], e.ID)
		}
		rep.Roots = append(rep.Roots, sr)
	}
	for _, r := range c.records {
		if r.Owner == c.owner.Name {
			continue
		}
		sr := surveyRoot{
			Root:   profile.Root{Kind: profile.RootRecorded, Name: r.Key, Link: filepath.Join(r.Store.Dir, ".noxroots", r.Owner, r.Key)},
			Owner:  r.Owner,
			Stores: map[string][]string{r.Store.Dir: r.IDs},
		}
		if r.Damaged != nil {
			sr.Damaged = r.Damaged.Reason
		}
		if r.Origin != (store.Origin{}) {
			sr.Origin = &r.Origin
			sr.Gone = profile.PresenceOf(r.Owner, r.Origin) == profile.Gone
		}
		rep.Roots = append(rep.Roots, sr)
	}
	if asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	w := a.Stdout
	for _, r := range rep.Roots {
		fmt.Fprintf(w, "%s %s", r.Kind, r.Name)
		if r.Kind != profile.RootSession && r.Kind != profile.RootProcess && r.Kind != profile.RootShell && r.Kind != profile.RootRecorded {
			fmt.Fprintf(w, " generation %d", r.Number)
		}
		if r.Current {
			fmt.Fprint(w, " (current)")
		}
		if r.Owner != "" {
			fmt.Fprintf(w, " of %s", r.Owner)
			if o := r.Origin; o != nil {
				gone := ""
				if r.Gone {
					gone = ", gone"
				}
				fmt.Fprintf(w, " (%s, %s:%s%s)", userName(o.UID), o.Host, o.StateDir, gone)
			}
		}
		if r.Damaged != "" {
			fmt.Fprintf(w, " damaged: %s", r.Damaged)
		}
		fmt.Fprintf(w, "\n  %s\n", r.Link)
		dirs := make([]string, 0, len(r.Stores))
		for d := range r.Stores {
			dirs = append(dirs, d)
		}
		sort.Strings(dirs)
		for _, d := range dirs {
			fmt.Fprintf(w, "  %s\n", d)
			for _, id := range r.Stores[d] {
				fmt.Fprintf(w, "    %s\n", id)
			}
		}
	}
	for _, d := range rep.Dangling {
		fmt.Fprintf(w, "dangling %s %s\n  %s\n", d.Kind, d.Name, d.Path)
	}
	return nil
}

// userName is the login name of uid, or the number when there is none.
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return "uid " + strconv.Itoa(uid)
}
