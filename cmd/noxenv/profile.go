package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/shells"
	"github.com/noxenv/noxenv/store"
)

func newProfileCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "profile", Short: "Manage profiles and their generations"}
	c.AddCommand(newProfileNewCmd(a), newProfileListCmd(a), newProfileShowCmd(a),
		newProfileAddCmd(a), newProfileRemoveCmd(a), newProfileUpgradeCmd(a),
		newProfileHistoryCmd(a), newProfileRollbackCmd(a), newProfileDeleteCmd(a),
		newProfileEnvCmd(a), newProfileExportCmd(a), newProfileImportCmd(a))
	return c
}

// defaultProfile is the user profile commands use without -p.
const defaultProfile = "default"

// profileRef is the profile -p names.
type profileRef struct {
	*profile.Profile
	name  string // as given: a name or a path
	adhoc bool
}

// noProfileError is a profile that does not exist (yet).
type noProfileError struct {
	name string
	hint string
}

func (e *noProfileError) Error() string { return fmt.Sprintf("no profile %s", e.name) }
func (e *noProfileError) Hint() string  { return e.hint }

func (a *app) gensDir() string { return filepath.Join(a.loc.stateDir, "generations") }

// profileRef finds what -p names: a path containing / is an ad hoc
// profile; a name is the user's profile, or else the first release profile
// of that name, or else the user profile to be.
func (a *app) profileRef(p string) (*profileRef, error) {
	if p == "" {
		p = defaultProfile
	}
	if strings.ContainsRune(p, '/') {
		return &profileRef{Profile: &profile.Profile{Path: absPath(p)}, name: p, adhoc: true}, nil
	}
	if err := profile.CheckName(p); err != nil {
		return nil, usageError{err}
	}
	user := filepath.Join(a.loc.profilesDir, p)
	if _, err := os.Lstat(user); err != nil {
		for _, d := range a.loc.releaseProfileDirs {
			rel := filepath.Join(d, p)
			if _, err := os.Lstat(rel); err == nil {
				return &profileRef{Profile: &profile.Profile{Path: rel, ReadOnly: true}, name: p}, nil
			}
		}
	}
	return &profileRef{Profile: &profile.Profile{Path: user}, name: p}, nil
}

// current returns the current generation of an existing profile.
func (r *profileRef) current() (*profile.GenerationInfo, error) {
	gi, err := r.Current()
	if errors.Is(err, profile.ErrNoProfile) {
		hint := "create it: noxenv profile new " + r.name
		if r.adhoc || r.name == defaultProfile {
			hint = "add a package to create it: noxenv profile add -p " + r.name + " PKG"
		}
		return nil, &noProfileError{r.name, hint}
	}
	return gi, err
}

// existingProfile is profileRef for a profile that must exist, with its
// current generation.
func (a *app) existingProfile(p string) (*profileRef, *profile.GenerationInfo, error) {
	r, err := a.profileRef(p)
	if err != nil {
		return nil, nil, err
	}
	gi, err := r.current()
	if err != nil {
		return nil, nil, err
	}
	return r, gi, nil
}

// guardedStores opens the search path and takes its shared gc guard.
func (a *app) guardedStores() (*store.SearchPath, func(), error) {
	sp, err := a.stores()
	if err != nil {
		return nil, nil, err
	}
	release, err := sp.Guard(false)
	if err != nil {
		return nil, nil, err
	}
	return sp, release, nil
}

// change makes a new generation of r from what members returns given the
// current members, holding the stores' guard from the first lookup until
// the generation is linked (an ad hoc profile is registered as a root
// first). A user profile other than the default must have been created.
func (a *app) change(r *profileRef, members func(sp *store.SearchPath, cur []profile.Member) ([]profile.Member, error)) (*profile.GenerationInfo, error) {
	if r.ReadOnly {
		return nil, &profile.ReadOnlyError{Path: r.Path}
	}
	if !r.adhoc && r.name != defaultProfile {
		if _, err := r.current(); err != nil {
			return nil, err
		}
	}
	sp, release, err := a.guardedStores()
	if err != nil {
		return nil, err
	}
	defer release()
	if r.adhoc {
		if err := profile.RegisterAdHoc(a.loc.stateDir, r.Path); err != nil {
			return nil, err
		}
	}
	return r.Update(func(cur []profile.Member) (*profile.Generation, error) {
		ms, err := members(sp, cur)
		if err != nil {
			return nil, err
		}
		return profile.Realize(sp, a.gensDir(), ms)
	})
}

func newProfileNewCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "new NAME",
		Short: "Create a user profile with its empty generation 0",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if err := profile.CheckName(argv[0]); err != nil {
				return usageError{err}
			}
			// gc must not take the new generation 0 for garbage before
			// the profile links it.
			_, release, err := a.guardedStores()
			if err != nil {
				return err
			}
			defer release()
			p := &profile.Profile{Path: filepath.Join(a.loc.profilesDir, argv[0])}
			return p.Create(a.gensDir())
		},
	}
}

// profileJSON is a profile as list --json shows it.
type profileJSON struct {
	Name       string `json:"name"`
	Path       string `json:"path"`
	Release    bool   `json:"release"`
	Generation int    `json:"generation"`
	Members    int    `json:"members"`
	Error      string `json:"error,omitempty"` // a profile that cannot be read
}

func newProfileListCmd(a *app) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List user and release profiles",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := []profileJSON{}
			dirs := append([]string{a.loc.profilesDir}, a.loc.releaseProfileDirs...)
			for i, d := range dirs {
				names, err := profile.Names(d)
				if err != nil {
					return err
				}
				for _, n := range names {
					p := &profile.Profile{Path: filepath.Join(d, n), ReadOnly: i > 0}
					pj := profileJSON{Name: n, Path: p.Path, Release: p.ReadOnly}
					if gi, err := p.Current(); err != nil {
						pj.Error = err.Error()
					} else {
						pj.Generation, pj.Members = gi.Number, len(gi.Members)
					}
					out = append(out, pj)
				}
			}
			if asJSON {
				return a.printJSON(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
			for _, p := range out {
				kind := "user"
				if p.Release {
					kind = "release " + filepath.Dir(p.Path)
				}
				if p.Error != "" {
					fmt.Fprintf(tw, "%s\t%s\tbroken: %s\n", p.Name, kind, p.Error)
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\tgeneration %d\t%s\n", p.Name, kind, p.Generation, count(p.Members, "member", "members"))
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// profileFlag adds -p to c, completing the names of user and release
// profiles.
func profileFlag(a *app, c *cobra.Command, p *string) {
	c.Flags().StringVarP(p, "profile", "p", "", "the profile: a NAME, or a PATH containing / for an ad hoc profile (default \"default\")")
	c.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, d := range append([]string{a.loc.profilesDir}, a.loc.releaseProfileDirs...) {
			ns, _ := profile.Names(d)
			names = append(names, ns...)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

// showJSON is a profile's current generation as show --json prints it.
type showJSON struct {
	Profile    string           `json:"profile"`
	Generation int              `json:"generation"`
	Dir        string           `json:"dir"`
	Members    []profile.Member `json:"members"`
}

func newProfileShowCmd(a *app) *cobra.Command {
	var p string
	var asJSON bool
	c := &cobra.Command{
		Use:   "show",
		Short: "Show the members of a profile's current generation",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, gi, err := a.existingProfile(p)
			if err != nil {
				return err
			}
			if asJSON {
				ms := gi.Members
				if ms == nil {
					ms = []profile.Member{}
				}
				return a.printJSON(showJSON{Profile: r.Path, Generation: gi.Number, Dir: gi.Dir, Members: ms})
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
			for _, m := range gi.Members {
				fmt.Fprintf(tw, "%s\t%s\tpriority %d\t%s\t%s\n", m.Name, m.Version, m.Priority, m.Request, m.ID)
			}
			return tw.Flush()
		},
	}
	profileFlag(a, c, &p)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// requestFor is the request upgrade re-resolves for pkg, found as e: pkg
// itself when it is NAME[@CONSTRAINT], else (an id or a path) exactly e's
// version.
func requestFor(pkg string, e *store.Entry) string {
	if r, err := store.ParseRequest(pkg); err == nil && r.Name == e.Name {
		return r.String()
	}
	return e.Name + "@=" + e.Version
}

// replacing describes old giving way to m, a member of the same name.
func replacing(old, m profile.Member) string {
	switch c := store.CompareVersions(m.Version, old.Version); {
	case c > 0:
		return fmt.Sprintf("upgrading %s from %s to %s", m.Name, old.Version, m.Version)
	case c < 0:
		return fmt.Sprintf("downgrading %s from %s to %s", m.Name, old.Version, m.Version)
	case old.ID != m.ID:
		return fmt.Sprintf("replacing %s %s (%s) with %s", m.Name, old.Version, old.ID, m.ID)
	}
	return fmt.Sprintf("%s %s: priority %d, was %d", m.Name, m.Version, m.Priority, old.Priority)
}

// setMembers returns cur with each of add in place of the member of its
// name, and the messages that say what was replaced.
func setMembers(cur, add []profile.Member) ([]profile.Member, []string) {
	out := append([]profile.Member(nil), cur...)
	var msgs []string
	for _, m := range add {
		found := false
		for i, old := range out {
			if old.Name != m.Name {
				continue
			}
			found = true
			if old.ID != m.ID || old.Priority != m.Priority || old.Request != m.Request {
				if old.ID != m.ID || old.Priority != m.Priority {
					msgs = append(msgs, replacing(old, m))
				}
				out[i] = m
			}
		}
		if !found {
			out = append(out, m)
		}
	}
	return out, msgs
}

func newProfileAddCmd(a *app) *cobra.Command {
	var p string
	var priority int
	c := &cobra.Command{
		Use:   "add PKG...",
		Short: "Add packages (and their closure) to a profile; a name already there is replaced",
		Args:  args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, pkgs []string) error {
			r, err := a.profileRef(p)
			if err != nil {
				return err
			}
			var msgs []string
			gi, err := a.change(r, func(sp *store.SearchPath, cur []profile.Member) ([]profile.Member, error) {
				byName := map[string]string{}
				var add []profile.Member
				for _, pkg := range pkgs {
					e, err := sp.Find(pkg)
					if err != nil {
						return nil, err
					}
					if prev, ok := byName[e.Name]; ok {
						return nil, usageError{fmt.Errorf("%s and %s are both %s: a profile holds one package of a name", prev, pkg, e.Name)}
					}
					byName[e.Name] = pkg
					m := profile.Member{Name: e.Name, Version: e.Version, Request: requestFor(pkg, e), ID: e.ID, Priority: profile.DefaultPriority, Entry: e}
					for _, old := range cur {
						if old.Name == m.Name {
							m.Priority = old.Priority
						}
					}
					if cmd.Flags().Changed("priority") {
						m.Priority = priority
					}
					add = append(add, m)
				}
				ms, replaced := setMembers(cur, add)
				msgs = replaced
				return ms, nil
			})
			if err != nil {
				return err
			}
			for _, m := range msgs {
				a.logf("%s", m)
			}
			a.logf("profile %s: generation %d", r.name, gi.Number)
			return nil
		},
	}
	profileFlag(a, c, &p)
	c.Flags().IntVar(&priority, "priority", profile.DefaultPriority, "the priority of the packages: of two providing one file, the lower number wins")
	return c
}

func newProfileRemoveCmd(a *app) *cobra.Command {
	var p string
	c := &cobra.Command{
		Use:   "remove NAME...",
		Short: "Remove members from a profile, by name",
		Args:  args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, names []string) error {
			r, err := a.profileRef(p)
			if err != nil {
				return err
			}
			gi, err := a.change(r, func(_ *store.SearchPath, cur []profile.Member) ([]profile.Member, error) {
				drop := map[string]bool{}
				for _, n := range names {
					drop[n] = true
				}
				var ms []profile.Member
				for _, m := range cur {
					if drop[m.Name] {
						delete(drop, m.Name)
						continue
					}
					ms = append(ms, m)
				}
				for _, n := range names {
					if drop[n] {
						return nil, fmt.Errorf("%s is not a member of profile %s", n, r.name)
					}
				}
				return ms, nil
			})
			if err != nil {
				return err
			}
			a.logf("profile %s: generation %d", r.name, gi.Number)
			return nil
		},
	}
	profileFlag(a, c, &p)
	return c
}

func newProfileUpgradeCmd(a *app) *cobra.Command {
	var p string
	c := &cobra.Command{
		Use:   "upgrade [NAME...]",
		Short: "Re-resolve members (all, or those named) by their name and constraint",
		Args:  args(cobra.ArbitraryArgs),
		RunE: func(cmd *cobra.Command, names []string) error {
			r, err := a.profileRef(p)
			if err != nil {
				return err
			}
			var msgs []string
			gi, err := a.change(r, func(sp *store.SearchPath, cur []profile.Member) ([]profile.Member, error) {
				want := map[string]bool{}
				for _, n := range names {
					want[n] = true
				}
				var add []profile.Member
				for _, m := range cur {
					if len(names) > 0 && !want[m.Name] {
						continue
					}
					delete(want, m.Name)
					req, err := store.ParseRequest(m.Request)
					if err != nil {
						return nil, fmt.Errorf("member %s: %w", m.Name, err)
					}
					e, err := sp.Resolve(req)
					if err != nil {
						return nil, fmt.Errorf("member %s: %w", m.Name, err)
					}
					m.ID, m.Version, m.Entry = e.ID, e.Version, e
					add = append(add, m)
				}
				for _, n := range names {
					if want[n] {
						return nil, fmt.Errorf("%s is not a member of profile %s", n, r.name)
					}
				}
				ms, replaced := setMembers(cur, add)
				msgs = replaced
				return ms, nil
			})
			if err != nil {
				return err
			}
			for _, m := range msgs {
				a.logf("%s", m)
			}
			if len(msgs) == 0 {
				a.logf("profile %s: nothing to upgrade", r.name)
				return nil
			}
			a.logf("profile %s: generation %d", r.name, gi.Number)
			return nil
		},
	}
	profileFlag(a, c, &p)
	return c
}

// generationJSON is a generation as history --json shows it.
type generationJSON struct {
	Number  int              `json:"number"`
	Time    time.Time        `json:"time"`
	Current bool             `json:"current"`
	Dir     string           `json:"dir"`
	Members []profile.Member `json:"members"`
	Added   []profile.Member `json:"added"`
	Removed []profile.Member `json:"removed"`
}

// changes says in words what a generation added and removed.
func changes(g profile.GenerationInfo) string {
	var parts []string
	removed := map[string]profile.Member{}
	for _, m := range g.Removed {
		removed[m.Name] = m
	}
	for _, m := range g.Added {
		if old, ok := removed[m.Name]; ok {
			delete(removed, m.Name)
			if old.Version != m.Version {
				parts = append(parts, fmt.Sprintf("%s %s -> %s", m.Name, old.Version, m.Version))
			} else {
				parts = append(parts, fmt.Sprintf("%s %s (changed)", m.Name, m.Version))
			}
			continue
		}
		parts = append(parts, fmt.Sprintf("+%s %s", m.Name, m.Version))
	}
	for _, m := range g.Removed {
		if _, ok := removed[m.Name]; ok {
			parts = append(parts, fmt.Sprintf("-%s %s", m.Name, m.Version))
		}
	}
	return strings.Join(parts, ", ")
}

func nonNil(ms []profile.Member) []profile.Member {
	if ms == nil {
		return []profile.Member{}
	}
	return ms
}

func newProfileHistoryCmd(a *app) *cobra.Command {
	var p string
	var asJSON bool
	c := &cobra.Command{
		Use:   "history",
		Short: "List a profile's generations, what each added and removed, the current one marked",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, _, err := a.existingProfile(p)
			if err != nil {
				return err
			}
			gens, err := r.Generations()
			if err != nil {
				return err
			}
			if asJSON {
				out := []generationJSON{}
				for _, g := range gens {
					out = append(out, generationJSON{Number: g.Number, Time: g.Time, Current: g.Current, Dir: g.Dir,
						Members: nonNil(g.Members), Added: nonNil(g.Added), Removed: nonNil(g.Removed)})
				}
				return a.printJSON(out)
			}
			width := len(fmt.Sprint(gens[len(gens)-1].Number))
			for _, g := range gens {
				line := fmt.Sprintf("%*d  %s  %s", width, g.Number, g.Time.Local().Format("2006-01-02 15:04:05"), changes(g))
				if g.Current {
					line += "  (current)"
				}
				if _, err := fmt.Fprintln(a.stdout, strings.TrimRight(line, " ")); err != nil {
					return err
				}
			}
			return nil
		},
	}
	profileFlag(a, c, &p)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func newProfileRollbackCmd(a *app) *cobra.Command {
	var p string
	var to int
	c := &cobra.Command{
		Use:   "rollback",
		Short: "Switch a profile to its previous (or Nth) generation",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, _, err := a.existingProfile(p)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("to") {
				to = -1
			} else if to < 0 {
				return usageError{fmt.Errorf("--to %d: generations are numbered from 0", to)}
			}
			gi, err := r.Rollback(to)
			if err != nil {
				return err
			}
			a.logf("profile %s: generation %d", r.name, gi.Number)
			return nil
		},
	}
	profileFlag(a, c, &p)
	c.Flags().IntVar(&to, "to", 0, "the generation to switch to")
	return c
}

func newProfileDeleteCmd(a *app) *cobra.Command {
	var p string
	var dryRun bool
	c := &cobra.Command{
		Use:   "delete-generations old|+K|Nd",
		Short: "Delete all but the current generation, all but the last K, or those older than N days",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			r, _, err := a.existingProfile(p)
			if err != nil {
				return err
			}
			plan, err := r.PlanDeleteGenerations(argv[0])
			var se *profile.SpecError
			if errors.As(err, &se) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			verb := "deleting"
			if dryRun {
				verb = "would delete"
			} else if err := r.DeleteGenerations(argv[0]); err != nil {
				return err
			}
			for _, g := range plan {
				fmt.Fprintf(a.stdout, "%s generation %d\n", verb, g.Number)
			}
			return nil
		},
	}
	profileFlag(a, c, &p)
	c.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be deleted, delete nothing")
	return c
}

func newProfileEnvCmd(a *app) *cobra.Command {
	var p, shell string
	c := &cobra.Command{
		Use:   "env",
		Short: "Print the code that puts a profile into a shell's environment",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("shell") {
				shell = defaultShell(a.env)
			}
			known := false
			for _, s := range shells.Names {
				known = known || s == shell
			}
			if !known {
				return usageError{fmt.Errorf("unknown shell %q: want one of %s", shell, strings.Join(shells.Names, ", "))}
			}
			_, gi, err := a.existingProfile(p)
			if err != nil {
				return err
			}
			g, err := profile.Load(gi.Dir)
			if err != nil {
				return err
			}
			changes := shells.Changes{}
			for k, v := range profile.Environ(g, a.env) {
				if old, ok := a.env[k]; !ok || old != v {
					changes[k] = &v
				}
			}
			code, err := shells.Render(shell, changes)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(a.stdout, code)
			return err
		},
	}
	profileFlag(a, c, &p)
	c.Flags().StringVar(&shell, "shell", "", "bash, zsh, fish or json (default: that of $SHELL, else bash)")
	return c
}

// defaultShell is $SHELL's name when Render knows it, else bash.
func defaultShell(env map[string]string) string {
	name := filepath.Base(env["SHELL"])
	for _, s := range shells.Names {
		if s == name {
			return s
		}
	}
	return "bash"
}

func newProfileExportCmd(a *app) *cobra.Command {
	var p string
	c := &cobra.Command{
		Use:   "export",
		Short: "Print a profile as a .noxprofile of use lines pinned to their versions",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, gi, err := a.existingProfile(p)
			if err != nil {
				return err
			}
			var b strings.Builder
			fmt.Fprintf(&b, "# Profile %s, generation %d (noxenv profile export).\n", r.name, gi.Number)
			for _, m := range gi.Members {
				fmt.Fprintf(&b, "use %s =%s\n", m.Name, m.Version)
				if m.Priority != profile.DefaultPriority {
					a.logf("%s has priority %d, which a .noxprofile does not keep", m.Name, m.Priority)
				}
			}
			_, err = fmt.Fprint(a.stdout, b.String())
			return err
		},
	}
	profileFlag(a, c, &p)
	return c
}

func newProfileImportCmd(a *app) *cobra.Command {
	var p string
	c := &cobra.Command{
		Use:   "import FILE",
		Short: "Make a profile's members exactly the use lines of a .noxprofile, as a new generation",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			f, err := os.Open(argv[0])
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("import: %w", err)
			}
			if err != nil {
				return err
			}
			reqs, err := readUses(f, argv[0])
			f.Close()
			if err != nil {
				return err
			}
			r, err := a.profileRef(p)
			if err != nil {
				return err
			}
			gi, err := a.change(r, func(sp *store.SearchPath, cur []profile.Member) ([]profile.Member, error) {
				var ms []profile.Member
				for _, u := range reqs {
					e, err := sp.Resolve(u.req)
					if err != nil {
						return nil, fmt.Errorf("%s: %w", u.pos, err)
					}
					ms = append(ms, profile.Member{Name: e.Name, Version: e.Version, Request: u.req.String(), ID: e.ID, Priority: profile.DefaultPriority, Entry: e})
				}
				return ms, nil
			})
			if err != nil {
				return err
			}
			a.logf("profile %s: generation %d", r.name, gi.Number)
			return nil
		},
	}
	profileFlag(a, c, &p)
	return c
}

// use is one use line of an imported file.
type use struct {
	req store.Request
	pos string // FILE:LINE:COL
}

// readUses reads the use lines of a .noxprofile as export writes them:
// use NAME, use NAME CONSTRAINT or use NAME@CONSTRAINT, with comments,
// blank lines and quoted words ('>=1.2,<2' needs quotes in shell syntax). Anything else would need the file evaluated, which import
// does not do: it is an error naming its position.
func readUses(r io.Reader, name string) ([]use, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(r, name)
	if err != nil {
		return nil, err
	}
	var uses []use
	seen := map[string]string{}
	for _, st := range f.Stmts {
		pos := fmt.Sprintf("%s:%d:%d", name, st.Pos().Line(), st.Pos().Col())
		call, ok := st.Cmd.(*syntax.CallExpr)
		if !ok || st.Negated || st.Background || st.Coprocess || st.Disown || len(st.Redirs) > 0 || len(call.Assigns) > 0 {
			return nil, fmt.Errorf("%s: import reads only use lines", pos)
		}
		words := make([]string, len(call.Args))
		for i, w := range call.Args {
			var ok bool
			if words[i], ok = literal(w); !ok {
				return nil, fmt.Errorf("%s: import reads only use lines of literal words", pos)
			}
		}
		if words[0] != "use" {
			return nil, fmt.Errorf("%s: import reads only use lines, not %s", pos, words[0])
		}
		if len(words) < 2 || len(words) > 3 {
			return nil, fmt.Errorf("%s: usage: use NAME [CONSTRAINT]", pos)
		}
		s := words[1]
		if len(words) == 3 {
			s += "@" + words[2]
		}
		req, err := store.ParseRequest(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pos, err)
		}
		if prev, ok := seen[req.Name]; ok {
			return nil, fmt.Errorf("%s: %s is used already at %s", pos, req.Name, prev)
		}
		seen[req.Name] = pos
		uses = append(uses, use{req, pos})
	}
	return uses, nil
}

// literal returns the value of a word without expansions: plain, quoted
// or both.
func literal(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if strings.ContainsRune(p.Value, '\\') {
				return "", false
			}
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok || strings.ContainsAny(lit.Value, "\\") {
					return "", false
				}
				b.WriteString(lit.Value)
			}
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}
