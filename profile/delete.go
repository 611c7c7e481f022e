package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// DeleteGenerations deletes generations as Nix does: "old" (all but the
// current), "+K" (all but the current and K-1 before it), an age ("30d",
// "12h", "90m"; see ParseAge: those older than that). The current
// generation is never deleted.
func (p *Profile) DeleteGenerations(spec string) error {
	_, err := p.DeleteGenerationsListed(spec)
	return err
}

// DeleteGenerationsListed is DeleteGenerations, returning the generations
// it deleted: those selected under the profile's lock, which a change made
// since a PlanDeleteGenerations may have made others.
func (p *Profile) DeleteGenerationsListed(spec string) ([]GenerationInfo, error) {
	return p.deleteGenerations(spec, time.Now(), false)
}

// PlanDeleteGenerations returns the generations DeleteGenerations(spec)
// would delete, deleting nothing.
func (p *Profile) PlanDeleteGenerations(spec string) ([]GenerationInfo, error) {
	return p.deleteGenerations(spec, time.Now(), true)
}

// SpecError is a malformed delete-generations argument.
type SpecError struct{ Spec string }

func (e *SpecError) Error() string {
	return fmt.Sprintf("invalid generations %q: want old, +K (K >= 1) or an age such as 30d, 12h or 90m", e.Spec)
}

// CheckSpec returns a *SpecError when spec is no delete-generations
// argument, before any profile is read.
func CheckSpec(spec string) error {
	_, err := parseSpec(spec, time.Now())
	return err
}

func (p *Profile) deleteGenerations(spec string, now time.Time, dryRun bool) ([]GenerationInfo, error) {
	sel, err := parseSpec(spec, now)
	if err != nil {
		return nil, err
	}
	gens, unlock, err := p.lockedGenerations()
	if err != nil {
		return nil, err
	}
	defer unlock()
	doomed := sel(gens)
	if dryRun {
		return doomed, nil
	}
	for _, g := range doomed {
		if err := os.Remove(p.linkPath(g.Number)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("profile %s: %w", p.Path, err)
		}
		if err := os.Remove(p.recordPath(g.Number)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("profile %s: %w", p.Path, err)
		}
	}
	return doomed, nil
}

// selector picks, from generations oldest first, those to delete.
type selector func(gens []GenerationInfo) []GenerationInfo

func parseSpec(spec string, now time.Time) (selector, error) {
	switch {
	case spec == "old":
		return func(gens []GenerationInfo) (out []GenerationInfo) {
			for _, g := range gens {
				if !g.Current {
					out = append(out, g)
				}
			}
			return out
		}, nil
	case strings.HasPrefix(spec, "+"):
		k, err := strconv.Atoi(spec[1:])
		if err != nil || k < 1 || spec[1] == '+' {
			return nil, &SpecError{spec}
		}
		// Keep the current and the k-1 before it; newer ones (after a
		// rollback) stay too.
		return func(gens []GenerationInfo) (out []GenerationInfo) {
			kept, seen := 0, false
			for i := len(gens) - 1; i >= 0; i-- {
				seen = seen || gens[i].Current
				if !seen {
					continue
				}
				if kept < k {
					kept++
					continue
				}
				out = append([]GenerationInfo{gens[i]}, out...)
			}
			return out
		}, nil
	case spec != "" && spec[0] >= '0' && spec[0] <= '9':
		age, err := ParseAge(spec)
		if err != nil {
			return nil, &SpecError{spec}
		}
		cutoff := now.Add(-age)
		// The newest generation older than the cutoff was the current one
		// at that time: it stays, everything older goes.
		return func(gens []GenerationInfo) (out []GenerationInfo) {
			found := false
			for i := len(gens) - 1; i >= 0; i-- {
				if !gens[i].Time.Before(cutoff) {
					continue
				}
				if found && !gens[i].Current {
					out = append([]GenerationInfo{gens[i]}, out...)
				}
				found = true
			}
			return out
		}, nil
	}
	return nil, &SpecError{spec}
}
