//go:build !front

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
	"github.com/noxenv/noxenv/store"
)

// stores opens the store search path of SPEC §1. A store whose marker is
// damaged is a warning: the others work, and it is read-only. So is a
// path that is no directory or one the user cannot read: it is skipped.
func (a *app) stores() (*store.SearchPath, error) {
	sp, err := store.Open(a.Loc.StorePath, a.Loc.UserStore)
	if err != nil {
		return nil, err
	}
	for _, st := range sp.Stores {
		if st.Unusable != nil {
			a.Logf("warning: %v; it is skipped", st.Unusable)
		}
		if st.Damaged != nil {
			a.Logf("warning: %v; it is read-only", st.Damaged)
			if !a.Quiet {
				fmt.Fprintf(a.Stderr, "hint: %s\n", st.Damaged.Hint())
			}
		}
	}
	sp.Fetcher = substituter{a}
	sp.CacheItemsIn(filepath.Join(a.Loc.CacheDir, "stores"))
	return sp, nil
}

func newStoreCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "store", Short: "Manage package stores and their entries"}
	c.AddCommand(newStoreAddCmd(a), newStoreInitCmd(a), newStoreListCmd(a),
		newStorePathCmd(a), newStoreInfoCmd(a), newStoreVerifyCmd(a))
	return c
}

func newStoreAddCmd(a *app) *cobra.Command {
	var opts store.AddOptions
	var envSpecs []string
	var storeDir string
	c := &cobra.Command{
		Use:   "add SOURCE",
		Short: "Copy a directory or tarball into the writable store as an entry",
		Long: `Copy SOURCE, a directory or a tarball (.tar, .tar.gz, .tgz, .tar.xz), into
the writable store as a new entry and print the entry's path. Name and
version default from SOURCE's base name NAME-VERSION. A tarball whose members
all lie in one top-level directory is taken from inside it unless --strip
says otherwise.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			for _, s := range envSpecs {
				es, err := store.ParseEnvSetting(s)
				if err != nil {
					return front.UsageError{Err: err}
				}
				opts.Env = append(opts.Env, es)
			}
			if err := checkPkgs(opts.Deps); err != nil {
				return err
			}
			// Empty, they are taken from SOURCE.
			for _, f := range []struct {
				flag, value string
				check       func(string) error
			}{{"name", opts.Name, store.CheckName}, {"version", opts.Version, store.CheckVersion}} {
				if f.value == "" {
					continue
				}
				if err := f.check(f.value); err != nil {
					return front.UsageError{Err: fmt.Errorf("--%s %q: %w", f.flag, f.value, err)}
				}
			}
			if !cmd.Flags().Changed("strip") {
				opts.Strip = -1
			} else if opts.Strip < 0 {
				return front.UsageError{Err: fmt.Errorf("--strip %d: must not be negative", opts.Strip)}
			}
			if err := a.readXZ(argv[0], &opts); err != nil {
				return err
			}
			sp, err := a.stores()
			if err != nil {
				return err
			}
			st, err := sp.WritableStore(storeDir)
			if err != nil {
				return err
			}
			var p *progressLine
			if a.StderrTTY && !a.Quiet {
				p = &progressLine{w: a.Stderr, start: time.Now()}
				opts.Progress = p.show
			}
			e, existed, err := sp.Add(cmd.Context(), st, argv[0], opts)
			p.clear()
			if err != nil {
				return err
			}
			if existed {
				a.Logf("%s is already in store %s", e.ID, st.Dir)
			}
			_, err = fmt.Fprintln(a.Stdout, e.Path)
			return err
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Name, "name", "", "the entry's `NAME` (default: from SOURCE)")
	f.StringVar(&opts.Version, "version", "", "the entry's `VERSION` (default: from SOURCE)")
	f.StringArrayVar(&opts.Deps, "dep", nil, "an entry `PKG` this one depends on (repeatable)")
	f.StringArrayVar(&envSpecs, "env", nil, "an env setting `SPEC`: VAR=VALUE, VAR+=VALUE (prepend) or VAR=+VALUE (append); ${prefix} is the entry (repeatable)")
	f.IntVar(&opts.Strip, "strip", 0, "the `N` leading path components to strip from tarball members (default: automatic)")
	f.StringVar(&storeDir, "store", "", "the managed store `DIR` to add to (default: the first writable one)")
	return c
}

// progressLine shows the progress of an add on a terminal, on one line.
type progressLine struct {
	w     io.Writer
	start time.Time
	shown bool
}

func (p *progressLine) show(pr store.Progress) {
	secs := time.Since(p.start).Seconds()
	if secs < 0.5 {
		return
	}
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[Knoxenv: %d files, %s, %s/s", pr.Files, humanSize(pr.Bytes), humanSize(int64(float64(pr.Bytes)/secs)))
}

func (p *progressLine) clear() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func newStoreInitCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "init DIR",
		Short: "Make DIR a managed store",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			st, err := store.Init(argv[0])
			if err != nil {
				return err
			}
			a.Logf("%s is a managed store", st.Dir)
			return nil
		},
	}
}

// entryJSON is an entry as the --json outputs show it.
type entryJSON struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Version string      `json:"version"`
	Path    string      `json:"path"`
	Store   string      `json:"store"`
	Plain   bool        `json:"plain"`
	Info    *store.Info `json:"info,omitempty"`
}

func toJSON(e *store.Entry) entryJSON {
	return entryJSON{ID: e.ID, Name: e.Name, Version: e.Version, Path: e.Path, Store: e.Store.Dir, Plain: e.Plain(), Info: e.Info}
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonFlag gives c the --json flag, setting v.
func jsonFlag(c *cobra.Command, v *bool) {
	c.Flags().BoolVar(v, "json", false, "print JSON")
}

// warnDamaged warns of each entry whose metadata a listing could not read
// (a *store.DamagedEntriesError: the listing holds every other entry) and
// returns nil then, else err.
func (a *app) warnDamaged(err error) error {
	var de *store.DamagedEntriesError
	if !errors.As(err, &de) {
		return err
	}
	for _, e := range de.Errs {
		a.Logf("warning: %v", e)
	}
	return nil
}

// table writes aligned columns to stdout; Flush prints them.
func (a *app) table() *tabwriter.Writer {
	return tabwriter.NewWriter(a.Stdout, 0, 8, 2, ' ', 0)
}

func newStoreListCmd(a *app) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List every entry of every store, in search order",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			sp, err := a.stores()
			if err != nil {
				return err
			}
			all, err := sp.List()
			if err := a.warnDamaged(err); err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(jsonList(all))
			}
			tw := a.table()
			for _, e := range all {
				fmt.Fprintf(tw, "%s\t%s\n", e.ID, e.Store.Dir)
			}
			return tw.Flush()
		},
	}
	jsonFlag(c, &asJSON)
	return c
}

func newStorePathCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "path",
		Short: "Print the store search path, each store marked writable, read-only or missing",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			sp, err := a.stores()
			if err != nil {
				return err
			}
			tw := a.table()
			for _, st := range sp.Stores {
				fmt.Fprintf(tw, "%s\t%s\n", st.Dir, sp.State(st))
			}
			return tw.Flush()
		},
	}
}

func newStoreInfoCmd(a *app) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "info PKG",
		Short: "Show an entry's metadata, closure and referrers",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if err := checkPkgs(argv); err != nil {
				return err
			}
			sp, err := a.stores()
			if err != nil {
				return err
			}
			e, err := sp.Find(argv[0])
			if err != nil {
				return err
			}
			closure, err := sp.Closure([]*store.Entry{e})
			if err != nil {
				return err
			}
			referrers, err := sp.Referrers(e)
			if err := a.warnDamaged(err); err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(struct {
					entryJSON
					Closure   []entryJSON `json:"closure"`
					Referrers []entryJSON `json:"referrers"`
				}{toJSON(e), jsonList(closure[1:]), jsonList(referrers)})
			}
			return printInfo(a.Stdout, e, closure[1:], referrers)
		},
	}
	jsonFlag(c, &asJSON)
	return c
}

func jsonList(es []*store.Entry) []entryJSON {
	out := make([]entryJSON, 0, len(es))
	for _, e := range es {
		out = append(out, toJSON(e))
	}
	return out
}

func printInfo(w io.Writer, e *store.Entry, deps, referrers []*store.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	fmt.Fprintf(tw, "id:\t%s\n", e.ID)
	fmt.Fprintf(tw, "name:\t%s\n", e.Name)
	fmt.Fprintf(tw, "version:\t%s\n", e.Version)
	fmt.Fprintf(tw, "path:\t%s\n", e.Path)
	fmt.Fprintf(tw, "store:\t%s\n", e.Store.Dir)
	if e.Plain() {
		fmt.Fprintf(tw, "plain:\tyes (no metadata)\n")
	} else {
		i := e.Info
		fmt.Fprintf(tw, "hash:\t%s\n", i.Hash)
		fmt.Fprintf(tw, "size:\t%d bytes in %d files\n", i.Size, i.Files)
		fmt.Fprintf(tw, "added:\t%s\n", i.Added.Format(time.RFC3339))
		for _, s := range i.Env {
			fmt.Fprintf(tw, "env:\t%s\n", s)
		}
		fmt.Fprintf(tw, "references:\t%s\n", idList(i.References))
	}
	fmt.Fprintf(tw, "closure:\t%s\n", entryList(deps))
	fmt.Fprintf(tw, "referrers:\t%s\n", entryList(referrers))
	return tw.Flush()
}

// idList shows ids one a line, indented under their heading.
func idList(ids []string) string {
	if len(ids) == 0 {
		return "(none)"
	}
	return strings.Join(ids, "\n\t")
}

// entryList is idList of the entries' ids.
func entryList(es []*store.Entry) string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return idList(ids)
}

func newStoreVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify [PKG]...",
		Short: "Recompute content hashes and name every entry that does not match",
		RunE: func(cmd *cobra.Command, argv []string) error {
			if err := checkPkgs(argv); err != nil {
				return err
			}
			sp, err := a.stores()
			if err != nil {
				return err
			}
			var entries []*store.Entry
			var damaged []error // entries whose metadata is unreadable
			if len(argv) == 0 {
				entries, err = sp.List()
				var de *store.DamagedEntriesError
				if errors.As(err, &de) {
					damaged = de.Errs
				} else if err != nil {
					return err
				}
			}
			for _, pkg := range argv {
				e, err := sp.Find(pkg)
				if err != nil {
					return err
				}
				entries = append(entries, e)
			}
			bad, checked := len(damaged), len(damaged)
			for _, err := range damaged {
				fmt.Fprintf(a.Stderr, "noxenv: %s\n", err)
			}
			for _, e := range entries {
				if e.Plain() {
					continue
				}
				checked++
				if err := store.Verify(cmd.Context(), e); err != nil {
					var mm *store.MismatchError
					if !errors.As(err, &mm) && cmd.Context().Err() != nil {
						return err
					}
					fmt.Fprintf(a.Stderr, "noxenv: %s\n", err)
					bad++
				}
			}
			if bad > 0 {
				fmt.Fprintf(a.Stderr, "noxenv: %d of %d entries do not match their recorded content\n", bad, checked)
				return front.ExitStatus(1)
			}
			a.Logf("%s verified", count(checked, "entry", "entries"))
			return nil
		},
	}
}
