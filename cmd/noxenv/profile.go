//go:build !front

package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
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

// profileRef finds what -p names: a path containing / is an ad hoc
// profile; a name is the user's profile, or else the first release profile
// of that name, or else the user profile to be.
func (a *app) profileRef(p string) (*profileRef, error) {
	if p == "" {
		p = defaultProfile
	}
	prof, adhoc, err := profile.Locate(p, a.Loc.ProfilesDir, a.Loc.ReleaseProfileDirs)
	var ne *profile.NameError
	if errors.As(err, &ne) {
		return nil, front.UsageError{Err: err}
	}
	if err != nil {
		return nil, err
	}
	return &profileRef{Profile: prof, name: p, adhoc: adhoc}, nil
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

// notMember names r in a *profile.NotMemberError; other errors pass.
func (r *profileRef) notMember(err error) error {
	var nm *profile.NotMemberError
	if errors.As(err, &nm) {
		return fmt.Errorf("%w of profile %s", err, r.name)
	}
	return err
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

// listedProfile is existingProfile for the commands that list a profile
// (show, history, env, export): the default profile, before its first
// change, is listed empty (gi nil), as Nix lists a profile it has not made
// yet. Another profile that does not exist is an error: a name mistyped.
func (a *app) listedProfile(p string) (*profileRef, *profile.GenerationInfo, error) {
	r, err := a.profileRef(p)
	if err != nil {
		return nil, nil, err
	}
	gi, err := r.current()
	var np *noProfileError
	if errors.As(err, &np) && r.name == defaultProfile {
		return r, nil, nil
	}
	return r, gi, err
}

// orBroken passes on r and err of a profile's lookup, but where the
// profile's current generation is broken (profile.BrokenError): it then
// gives the profile's reference, to list the generations left or roll
// back to one, and says so.
func (a *app) orBroken(p string, r *profileRef, err error) (*profileRef, bool, error) {
	var broken *profile.BrokenError
	if !errors.As(err, &broken) {
		return r, false, err
	}
	r, err = a.profileRef(p)
	return r, true, err
}

// guardedStores opens the search path and takes its gc guard: shared, or
// exclusive for gc itself.
func (a *app) guardedStores(exclusive bool) (*store.SearchPath, func(), error) {
	sp, err := a.stores()
	if err != nil {
		return nil, nil, err
	}
	release, err := sp.Guard(exclusive)
	if err != nil {
		return nil, nil, err
	}
	return sp, release, nil
}

// fetchMissing opens the stores, takes their gc guard (release gives it
// back), fetches from the substituters what no store holds of pkgs and
// locates each (store.SearchPath.LocateAll), before a command uses them;
// a failure to fetch returns the index of its PKG, or -1 when it concerns
// none. With the guard held until the command has linked what it found,
// fetched entries stay, and each store's listing is read once for both.
func (a *app) fetchMissing(ctx context.Context, pkgs []string) (sp *store.SearchPath, release func(), found []store.Found, i int, err error) {
	if sp, release, err = a.guardedStores(false); err != nil {
		return nil, nil, nil, -1, err
	}
	if found, i, err = sp.LocateAll(ctx, pkgs); err != nil {
		release()
		return nil, nil, nil, i, err
	}
	return sp, release, found, 0, nil
}

// change makes a new generation of r (see profile.Profile.Change) from
// what members returns given the stores (sp, or the stores opened now when
// sp is nil) and the current members. A user profile other than the
// default must have been created.
func (a *app) change(r *profileRef, sp *store.SearchPath, members func(sp *store.SearchPath, cur []profile.Member) ([]profile.Member, error)) (*profile.GenerationInfo, error) {
	if !r.ReadOnly && !r.adhoc && r.name != defaultProfile {
		if _, err := r.current(); err != nil {
			return nil, err
		}
	}
	if sp == nil {
		var err error
		if sp, err = a.stores(); err != nil {
			return nil, err
		}
	}
	return r.Change(sp, a.Loc.StateDir, r.adhoc, func(cur []profile.Member) ([]profile.Member, error) {
		return members(sp, cur)
	})
}

// logGeneration reports the generation gi that r is at after a change or
// a rollback: each of changes (what the change did), then gi's number.
func (a *app) logGeneration(r *profileRef, changes []profile.Change, gi *profile.GenerationInfo) {
	for _, c := range changes {
		a.Logf("%s", c)
	}
	a.Logf("profile %s: generation %d", r.name, gi.Number)
}

func newProfileNewCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "new NAME",
		Short: "Create a user profile with its empty generation 0",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if err := profile.CheckName(argv[0]); err != nil {
				return front.UsageError{Err: err}
			}
			// gc must not take the new generation 0 for garbage before
			// the profile links it.
			_, release, err := a.guardedStores(false)
			if err != nil {
				return err
			}
			defer release()
			p := &profile.Profile{Path: filepath.Join(a.Loc.ProfilesDir, argv[0])}
			return p.Create(profile.GenerationsDir(a.Loc.StateDir))
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
			listed, err := profile.List(a.Loc.ProfilesDir, a.Loc.ReleaseProfileDirs)
			if err != nil {
				return err
			}
			out := []profileJSON{}
			for _, l := range listed {
				pj := profileJSON{Name: l.Name, Path: l.Profile.Path, Release: l.Profile.ReadOnly}
				if l.Err != nil {
					pj.Error = l.Err.Error()
				} else {
					pj.Generation, pj.Members = l.Current.Number, len(l.Current.Members)
				}
				out = append(out, pj)
			}
			if asJSON {
				return a.printJSON(out)
			}
			tw := a.table()
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
	jsonFlag(c, &asJSON)
	return c
}

// profileFlag adds -p to c, completing the names of user and release
// profiles.
func profileFlag(a *app, c *cobra.Command, p *string) {
	c.Flags().StringVarP(p, "profile", "p", "", "the profile `P`: a NAME, or a PATH containing / for an ad hoc profile (default \"default\")")
	c.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, d := range append([]string{a.Loc.ProfilesDir}, a.Loc.ReleaseProfileDirs...) {
			ns, _ := profile.Names(d)
			for _, n := range ns {
				// A user profile hides a release profile of its name.
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
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
			r, gi, err := a.listedProfile(p)
			if err != nil {
				return err
			}
			if gi == nil {
				gi = &profile.GenerationInfo{}
			}
			if asJSON {
				return a.printJSON(showJSON{Profile: r.Path, Generation: gi.Number, Dir: gi.Dir, Members: nonNil(gi.Members)})
			}
			tw := a.table()
			for _, m := range gi.Members {
				fmt.Fprintf(tw, "%s\t%s\tpriority %d\t%s\t%s\n", m.Name, m.Version, m.Priority, m.Request, m.ID)
			}
			return tw.Flush()
		},
	}
	profileFlag(a, c, &p)
	jsonFlag(c, &asJSON)
	return c
}

func newProfileAddCmd(a *app) *cobra.Command {
	var p string
	var priority int
	c := &cobra.Command{
		Use:   "add PKG...",
		Short: "Add packages (and their closure) to a profile; a name already there is replaced",
		Args:  args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, pkgs []string) error {
			if err := checkPkgs(pkgs); err != nil {
				return err
			}
			r, err := a.profileRef(p)
			if err != nil {
				return err
			}
			sp, release, found, _, err := a.fetchMissing(cmd.Context(), pkgs)
			if err != nil {
				return err
			}
			defer release()
			var prio *int
			if cmd.Flags().Changed("priority") {
				prio = &priority
			}
			var changes []profile.Change
			gi, err := a.change(r, sp, func(sp *store.SearchPath, cur []profile.Member) (ms []profile.Member, err error) {
				ms, changes, err = profile.AddMembers(found, cur, pkgs, prio)
				var de *profile.DuplicateNameError
				if errors.As(err, &de) {
					err = front.UsageError{Err: err}
				}
				return ms, err
			})
			if err != nil {
				return err
			}
			a.logGeneration(r, changes, gi)
			return nil
		},
	}
	profileFlag(a, c, &p)
	c.Flags().IntVar(&priority, "priority", profile.DefaultPriority, "the priority `N` of the packages: of two providing one file, the lower number wins")
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
			gi, err := a.change(r, nil, func(_ *store.SearchPath, cur []profile.Member) ([]profile.Member, error) {
				ms, err := profile.RemoveMembers(cur, names)
				return ms, r.notMember(err)
			})
			if err != nil {
				return err
			}
			a.logGeneration(r, nil, gi)
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
			var changes []profile.Change
			gi, err := a.change(r, nil, func(sp *store.SearchPath, cur []profile.Member) (ms []profile.Member, err error) {
				ms, changes, err = profile.UpgradeMembers(sp, cur, names)
				return ms, r.notMember(err)
			})
			if err != nil {
				return err
			}
			if len(changes) == 0 {
				a.Logf("profile %s: nothing to upgrade", r.name)
				return nil
			}
			a.logGeneration(r, changes, gi)
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
			// A broken profile lists the generations left, to roll back to.
			r, gi, err := a.listedProfile(p)
			r, broken, err := a.orBroken(p, r, err)
			if err != nil {
				return err
			}
			var gens []profile.GenerationInfo
			if gi != nil || broken {
				if gens, err = r.Generations(); err != nil {
					return err
				}
			}
			if asJSON {
				out := []generationJSON{}
				for _, g := range gens {
					out = append(out, generationJSON{Number: g.Number, Time: g.Time, Current: g.Current, Dir: g.Dir,
						Members: nonNil(g.Members), Added: nonNil(g.Added), Removed: nonNil(g.Removed)})
				}
				return a.printJSON(out)
			}
			width := 0
			if len(gens) > 0 {
				width = len(fmt.Sprint(gens[len(gens)-1].Number))
			}
			for _, g := range gens {
				line := fmt.Sprintf("%*d  %s  %s", width, g.Number, g.Time.Local().Format("2006-01-02 15:04:05"), g.Summary())
				if g.Current {
					line += "  (current)"
				}
				if _, err := fmt.Fprintln(a.Stdout, strings.TrimRight(line, " ")); err != nil {
					return err
				}
			}
			return nil
		},
	}
	profileFlag(a, c, &p)
	jsonFlag(c, &asJSON)
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
			if !cmd.Flags().Changed("to") {
				to = -1
			} else if to < 0 {
				return front.UsageError{Err: fmt.Errorf("--to %d: generations are numbered from 0", to)}
			}
			// A broken profile is rolled back: that repairs it.
			r, _, err := a.existingProfile(p)
			r, _, err = a.orBroken(p, r, err)
			if err != nil {
				return err
			}
			gi, err := r.Rollback(to)
			if err != nil {
				return err
			}
			a.logGeneration(r, nil, gi)
			return nil
		},
	}
	profileFlag(a, c, &p)
	c.Flags().IntVar(&to, "to", 0, "the generation `N` to switch to")
	return c
}

func newProfileDeleteCmd(a *app) *cobra.Command {
	var p string
	var dryRun bool
	c := &cobra.Command{
		Use:   "delete-generations old|+K|AGE",
		Short: "Delete all but the current generation, all but the last K, or those older than AGE (30d, 12h, 90m)",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if err := profile.CheckSpec(argv[0]); err != nil {
				return front.UsageError{Err: err}
			}
			r, _, err := a.existingProfile(p)
			if err != nil {
				return err
			}
			verb, del := "deleting", r.DeleteGenerationsListed
			if dryRun {
				verb, del = "would delete", r.PlanDeleteGenerations
			}
			gens, err := del(argv[0])
			if err != nil {
				return err
			}
			for _, g := range gens {
				fmt.Fprintf(a.Stdout, "%s generation %d\n", verb, g.Number)
			}
			return nil
		},
	}
	profileFlag(a, c, &p)
	dryRunFlag(c, &dryRun)
	return c
}

func newProfileEnvCmd(a *app) *cobra.Command {
	var p, shell string
	c := &cobra.Command{
		Use:   "env",
		Short: "Print the code that puts a profile into a shell's environment",
		Long: "Print the code that puts a profile into a shell's environment, taken as\n" +
			"noxenv export's is (see noxenv export --help):\n\n" +
			"  bash:   eval \"$(noxenv profile env --shell bash)\"\n" +
			"  tcsh:   noxenv profile env --shell tcsh >! FILE; source FILE",
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("shell") {
				shell = defaultShell(a.Env)
			}
			if err := shells.Check(shell); err != nil {
				return front.UsageError{Err: err}
			}
			_, gi, err := a.listedProfile(p)
			if err != nil {
				return err
			}
			var g *profile.Generation
			if gi != nil {
				if g, err = profile.Load(gi.Dir); err != nil {
					return err
				}
			}
			changes := shells.Changes{}
			for k, v := range profile.Environ(g, a.Env) {
				if old, ok := a.Env[k]; !ok || old != v {
					changes[k] = &v
				}
			}
			code, err := shells.Render(shell, changes)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(a.Stdout, code)
			return err
		},
	}
	profileFlag(a, c, &p)
	c.Flags().StringVar(&shell, "shell", "", "the `SHELL`: bash, zsh, fish, tcsh, elvish or json (default: that of $SHELL, else bash)")
	c.RegisterFlagCompletionFunc("shell", cobra.FixedCompletions(shells.Names, cobra.ShellCompDirectiveNoFileComp))
	return c
}

// defaultShell is $SHELL's name when Render knows it, or else the name of
// the file it leads to (/bin/csh, a link to tcsh on most Linux systems),
// else bash.
func defaultShell(env map[string]string) string {
	sh := env["SHELL"]
	names := []string{filepath.Base(sh)}
	if real, err := filepath.EvalSymlinks(sh); err == nil {
		names = append(names, filepath.Base(real))
	}
	for _, name := range names {
		if slices.Contains(shells.Names, name) {
			return name
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
			r, gi, err := a.listedProfile(p)
			if err != nil {
				return err
			}
			if gi == nil {
				gi = &profile.GenerationInfo{}
			}
			text, unkept := profile.Export(r.name, *gi)
			for _, m := range unkept {
				a.Logf("%s has priority %d, which a .noxprofile does not keep", m.Name, m.Priority)
			}
			_, err = fmt.Fprint(a.Stdout, text)
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
			uses, err := profile.ReadUses(f, argv[0])
			f.Close()
			if err != nil {
				return err
			}
			r, err := a.profileRef(p)
			if err != nil {
				return err
			}
			reqs := make([]string, len(uses))
			for i, u := range uses {
				reqs[i] = u.Request.String()
			}
			sp, release, _, i, err := a.fetchMissing(cmd.Context(), reqs)
			if err != nil && i >= 0 {
				return fmt.Errorf("%s: %w", uses[i].Pos, err)
			}
			if err != nil {
				return err
			}
			defer release()
			gi, err := a.change(r, sp, func(sp *store.SearchPath, _ []profile.Member) ([]profile.Member, error) {
				return profile.ResolveUses(sp, uses)
			})
			if err != nil {
				return err
			}
			a.logGeneration(r, nil, gi)
			return nil
		},
	}
	profileFlag(a, c, &p)
	return c
}
