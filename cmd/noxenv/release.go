//go:build !front

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

// newReleaseCmd is `noxenv store release`.
func newReleaseCmd(a *app) *cobra.Command {
	var gone bool
	c := &cobra.Command{
		Use:   "release [--gone] [OWNER | [HOST:]STATEDIR]...",
		Short: "Drop the records of a state directory that is gone for good",
		Long: `Remove from the writable stores every record of a state directory that is
gone for good, so that the next gc from any state directory may delete what
only it kept alive. Name it as store survey shows it: by its owner
("recorded ... of OWNER") or by its host and path (HOST:STATEDIR; the host
defaults to this one). With --gone, release every state directory of this
host that survey marks gone (its path no longer holds it). A state
directory that still exists on this host is not released: while it exists,
its profiles and projects use those entries.`,
		Args: args(func(_ *cobra.Command, names []string) error {
			if len(names) == 0 && !gone {
				return fmt.Errorf("name a state directory to release, or pass --gone")
			}
			return nil
		}),
		RunE: func(cmd *cobra.Command, names []string) error {
			return a.release(names, gone)
		},
	}
	c.Flags().BoolVar(&gone, "gone", false, "release every state directory of this host that is gone")
	return c
}

func (a *app) release(names []string, gone bool) error {
	sp, release, err := a.guardedStores(true)
	if err != nil {
		return err
	}
	defer release()
	recs, err := sp.RootRecords()
	if err != nil {
		return err
	}
	var owners []string
	seen := map[string]bool{}
	add := func(o string) {
		if !seen[o] {
			seen[o] = true
			owners = append(owners, o)
		}
	}
	for _, name := range names {
		found, err := ownersNamed(name, recs)
		if err != nil {
			return err
		}
		for _, o := range found {
			add(o)
		}
	}
	if gone {
		for _, r := range recs {
			if !seen[r.Owner] && profile.PresenceOf(r.Owner, r.Origin) == profile.Gone {
				add(r.Owner)
			}
		}
	}
	for _, o := range owners {
		held, err := sp.ReleaseRecords(o)
		if err != nil {
			return err
		}
		for _, st := range held {
			fmt.Fprintf(a.Stdout, "released %s in %s\n", o, st.Dir)
		}
	}
	return nil
}

// ownersNamed finds the owners of recs that name (an owner, or
// [HOST:]STATEDIR) designates, refusing any state directory that is still
// there on this host. By path, only the owners gone from it count: the
// path may hold a new state directory since.
func ownersNamed(name string, recs []store.RootRecord) ([]string, error) {
	byPath := strings.Contains(name, "/")
	host, path, _ := strings.Cut(name, ":")
	if !byPath || !strings.Contains(name, ":") || strings.Contains(host, "/") {
		host, path = "", name
	}
	if byPath && host == "" {
		host, _ = os.Hostname()
	}
	var found []string
	var present error
	seen := map[string]bool{}
	for _, r := range recs {
		match := r.Owner == name
		if byPath {
			match = r.Origin.Host == host && r.Origin.StateDir == filepath.Clean(path)
		}
		if !match || seen[r.Owner] {
			continue
		}
		seen[r.Owner] = true
		if profile.PresenceOf(r.Owner, r.Origin) == profile.Present {
			present = &presentError{owner: r.Owner, stateDir: r.Origin.StateDir}
			continue
		}
		found = append(found, r.Owner)
	}
	switch {
	case len(found) == 0 && present != nil, present != nil && !byPath:
		return nil, present
	case len(found) == 0:
		return nil, &noRecordsError{name: name}
	}
	return found, nil
}

// presentError refuses to release a state directory that is still there.
type presentError struct{ owner, stateDir string }

func (e *presentError) Error() string {
	return fmt.Sprintf("release %s: state directory %s still exists", e.owner, e.stateDir)
}

func (e *presentError) Hint() string {
	return "its profiles and projects use what its records keep; remove the state directory first if it is no longer needed"
}

// noRecordsError says that no writable store holds records of an owner.
type noRecordsError struct{ name string }

func (e *noRecordsError) Error() string {
	return fmt.Sprintf("release %s: no writable store holds its records", e.name)
}

func (e *noRecordsError) Hint() string {
	return "noxenv store survey lists the state directories that records keep entries for"
}
