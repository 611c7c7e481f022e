//go:build oci

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/activate"
	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/cache"
	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
	"github.com/noxenv/noxenv/store"
)

func newCacheCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "cache", Short: cacheShort}
	c.AddCommand(newCachePushCmd(a), newCachePullCmd(a), newCacheListCmd(a), newCacheSubstituteCmd(a), newCacheDownloadCmd(a))
	return c
}

// download writes what url holds to w (fetchurl).
func (a *app) download(ctx context.Context, url string, w io.Writer) error {
	return cache.Download(ctx, url, w)
}

// newCacheDownloadCmd is noxenv-oci's side of fetchurl for noxenv
// (oci_forward.go): it writes what URL holds to stdout.
func newCacheDownloadCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:    "download URL",
		Short:  "Write what an http or https URL holds to stdout (for noxenv itself)",
		Hidden: true,
		Args:   args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.download(cmd.Context(), argv[0], a.Stdout)
		},
	}
}

// cacheOptions are what opening a cache takes from the environment: the
// docker configuration registry credentials come from.
func (a *app) cacheOptions() cache.Options {
	dir := a.Env["DOCKER_CONFIG"]
	if dir == "" {
		dir = filepath.Join(a.Env["HOME"], ".docker")
	}
	return cache.Options{DockerConfig: filepath.Join(dir, "config.json")}
}

func (a *app) openCache(url string) (cache.Cache, error) {
	c, err := cache.Open(url, a.cacheOptions())
	var dce *cache.DockerConfigError
	if errors.As(err, &dce) {
		return nil, err
	}
	if err != nil {
		return nil, front.UsageError{Err: err}
	}
	return c, nil
}

// fetcher fetches from caches: the substituters setting's unless urls
// are given; its trusted keys are the trusted-public-keys setting's.
func (a *app) fetcher(urls []string) (*cache.Fetcher, error) {
	s, err := a.Settings()
	if err != nil {
		return nil, err
	}
	f := &cache.Fetcher{Fetched: func(fd cache.Fetched) {
		what := humanSize(fd.Bytes)
		if fd.Entries > 1 {
			what = fmt.Sprintf("%d entries, %s", fd.Entries, what)
		}
		a.Logf("fetched %s (%s) from %s", fd.ID, what, fd.Cache)
	}}
	for _, k := range s.TrustedPublicKeys {
		pk, err := cache.ParsePublicKey(k)
		if err != nil {
			return nil, fmt.Errorf("trusted-public-keys: %w", err)
		}
		f.Trusted = append(f.Trusted, pk)
	}
	// A URL of the command line that is no cache's is a usage error; one
	// of the setting is the setting's.
	open := a.openCache
	if urls == nil {
		urls = s.Substituters
		open = func(u string) (cache.Cache, error) {
			c, err := cache.Open(u, a.cacheOptions())
			if err != nil {
				return nil, fmt.Errorf("substituters: %w", err)
			}
			return c, nil
		}
	}
	for _, u := range urls {
		c, err := open(u)
		if err != nil {
			return nil, err
		}
		f.Caches = append(f.Caches, c)
	}
	if a.StderrTTY && !a.Quiet {
		p := &progressLine{w: a.Stderr, start: time.Now()}
		f.Progress = func(pr cache.Progress) { p.transfer("fetching", pr) }
	}
	return f, nil
}

// fetchIDs fetches the entries ids, with their closures, from the
// substituters into sp's writable store.
func (a *app) fetchIDs(ctx context.Context, sp *store.SearchPath, ids []string) error {
	f, err := a.fetcher(nil)
	if err != nil {
		return err
	}
	return f.Fetch(ctx, sp, ids)
}

// fetchRequests fetches from the substituters an entry for each of reqs,
// chosen by name among those a trusted key signed, and returns the index
// of the request that failed with its error.
func (a *app) fetchRequests(ctx context.Context, sp *store.SearchPath, reqs []store.Request) (int, error) {
	f, err := a.fetcher(nil)
	if err != nil {
		return 0, err
	}
	return f.FetchRequests(ctx, sp, reqs)
}

// newCacheSubstituteCmd is noxenv-oci's side of substitution for noxenv
// (oci_forward.go): it fetches the ids given, or with --by-name an entry
// for each request, and answers on stdout with one JSON substituteAnswer.
func newCacheSubstituteCmd(a *app) *cobra.Command {
	var byName bool
	c := &cobra.Command{
		Use:    "substitute [--by-name] ID|PKG...",
		Short:  "Fetch from the substituters what no store holds (for noxenv itself)",
		Hidden: true,
		Args:   args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			sp, release, err := a.guardedStores(false)
			if err != nil {
				return err
			}
			defer release()
			var ans substituteAnswer
			if byName {
				reqs := make([]store.Request, len(argv))
				for i, arg := range argv {
					if reqs[i], err = store.ParseRequest(arg); err != nil {
						return front.UsageError{Err: err}
					}
				}
				ans.Index, err = a.fetchRequests(cmd.Context(), sp, reqs)
			} else {
				err = a.fetchIDs(cmd.Context(), sp, argv)
			}
			if err != nil {
				ans.Error = err.Error()
				var h front.Hinter
				if errors.As(err, &h) {
					ans.Hint = h.Hint()
				}
			}
			return json.NewEncoder(a.Stdout).Encode(ans)
		},
	}
	c.Flags().BoolVar(&byName, "by-name", false, "take the arguments as requests NAME[@CONSTRAINT], resolved among signed entries")
	return c
}

// transfer shows a push's or a pull's progress on the line, and clears
// it once the transfer is over.
func (p *progressLine) transfer(verb string, pr cache.Progress) {
	secs := time.Since(p.start).Seconds()
	if pr.Over {
		p.clear()
		return
	}
	if secs < 0.5 {
		return
	}
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[Knoxenv: %s %d/%d entries, %s, %s/s", verb, pr.Done, pr.Entries, humanSize(pr.Bytes), humanSize(int64(float64(pr.Bytes)/secs)))
}

func newCachePushCmd(a *app) *cobra.Command {
	var prof, project, keyFile string
	c := &cobra.Command{
		Use:   "push CACHE [PKG... | -p PROFILE | --project DIR]",
		Short: "Push the closures of entries, a profile or a project's lock to a cache",
		Long: `Push the closure of each PKG, of a profile's current generation, or of the
entries a project's lock pins, to CACHE: oci://HOST[:PORT]/REPO (oci+http://
for a registry over plain HTTP), file:///DIR or a directory path. What the
cache has already is not sent again. --sign KEYFILE signs what it pushes,
and what the cache has without that key's signature.`,
		Args: args(func(cmd *cobra.Command, argv []string) error {
			n := 0
			if len(argv) > 1 {
				n++
			}
			if prof != "" {
				n++
			}
			if project != "" {
				n++
			}
			if len(argv) == 0 || n != 1 {
				return errors.New("want CACHE and one of PKG..., -p PROFILE or --project DIR")
			}
			return checkPkgs(argv[1:])
		}),
		RunE: func(cmd *cobra.Command, argv []string) error {
			c, err := a.openCache(argv[0])
			if err != nil {
				return err
			}
			var opts cache.PushOptions
			if keyFile != "" {
				data, err := os.ReadFile(keyFile)
				if err != nil {
					return fmt.Errorf("--sign: %w", err)
				}
				k, err := cache.ParseSecretKey(string(data))
				if err != nil {
					return fmt.Errorf("--sign %s: %w", keyFile, err)
				}
				opts.Key = &k
			}
			sp, release, err := a.guardedStores(false)
			if err != nil {
				return err
			}
			defer release()
			roots, err := a.pushRoots(sp, argv[1:], prof, project)
			if err != nil {
				return err
			}
			closure, err := sp.Closure(roots)
			if err != nil {
				return err
			}
			if a.StderrTTY && !a.Quiet {
				p := &progressLine{w: a.Stderr, start: time.Now()}
				opts.Progress = func(pr cache.Progress) { p.transfer("pushing", pr) }
			}
			res, err := cache.Push(cmd.Context(), c, closure, opts)
			if res != nil {
				what := fmt.Sprintf("pushed %s to %s", count(len(res.Pushed), "entry", "entries"), c)
				if len(res.Signed) > 0 {
					what += fmt.Sprintf(", signed %d", len(res.Signed))
				}
				if len(res.Present) > 0 {
					what += fmt.Sprintf(" (%d there already)", len(res.Present))
				}
				if err == nil || len(res.Pushed)+len(res.Signed) > 0 {
					a.Logf("%s", what)
				}
			}
			return err
		},
	}
	c.Flags().StringVarP(&prof, "profile", "p", "", "push the closure of a profile's current generation")
	c.Flags().StringVar(&project, "project", "", "push the entries the lock of the project in DIR pins, with their closures")
	c.Flags().StringVar(&keyFile, "sign", "", "sign what is pushed with the secret key in KEYFILE")
	return c
}

// pushRoots returns the entries a push starts from: the PKGs, a profile's
// members, or a project's pins.
func (a *app) pushRoots(sp *store.SearchPath, pkgs []string, prof, project string) ([]*store.Entry, error) {
	switch {
	case prof != "":
		_, gi, err := a.existingProfile(prof)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(gi.Members))
		for i, m := range gi.Members {
			ids[i] = m.ID
		}
		return getAll(sp, ids)
	case project != "":
		file, err := a.projectFile([]string{project})
		if err != nil {
			return nil, err
		}
		ids, err := activate.LockedIDs(file)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("%s pins no entry", filepath.Join(filepath.Dir(file), prompt.LockName))
		}
		return getAll(sp, ids)
	}
	var roots []*store.Entry
	for _, pkg := range pkgs {
		e, err := sp.Find(pkg)
		if err != nil {
			return nil, err
		}
		roots = append(roots, e)
	}
	return roots, nil
}

func getAll(sp *store.SearchPath, ids []string) ([]*store.Entry, error) {
	out := make([]*store.Entry, len(ids))
	for i, id := range ids {
		e, err := sp.Get(id)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func newCachePullCmd(a *app) *cobra.Command {
	var storeDir string
	c := &cobra.Command{
		Use:   "pull CACHE PKG...",
		Short: "Fetch the closures of entries from a cache into the writable store",
		Long: `Fetch the closure of each PKG from CACHE into the writable store, verifying
each entry's content against its id. PKG is an entry id, or NAME[@CONSTRAINT]:
the highest matching version among the cache's entries signed by a key of
trusted-public-keys.`,
		Args: args(func(cmd *cobra.Command, argv []string) error {
			if len(argv) < 2 {
				return errors.New("want CACHE and at least one PKG")
			}
			for _, pkg := range argv[1:] {
				if _, _, _, ok := store.ParseID(pkg); ok {
					continue
				}
				if _, err := store.ParseRequest(pkg); err != nil {
					return err
				}
			}
			return nil
		}),
		RunE: func(cmd *cobra.Command, argv []string) error {
			f, err := a.fetcher(argv[:1])
			if err != nil {
				return err
			}
			f.Store = storeDir
			var ids []string
			for _, pkg := range argv[1:] {
				if _, _, _, ok := store.ParseID(pkg); ok {
					ids = append(ids, pkg)
					continue
				}
				r, _ := store.ParseRequest(pkg)
				id, err := f.Resolve(cmd.Context(), r)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			sp, release, err := a.guardedStores(false)
			if err != nil {
				return err
			}
			defer release()
			// --store DIR may lie outside the path, as for store add.
			st, err := sp.WritableStore(storeDir)
			if err != nil {
				return err
			}
			if err := f.Fetch(cmd.Context(), sp, ids); err != nil {
				return err
			}
			for _, id := range ids {
				e, err := sp.GetIn(st, id)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.Stdout, e.Path)
			}
			return nil
		},
	}
	c.Flags().StringVar(&storeDir, "store", "", "the managed store to pull into (default: the first writable one)")
	return c
}

func newCacheListCmd(a *app) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list CACHE",
		Short: "List the entries a cache holds",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			c, err := a.openCache(argv[0])
			if err != nil {
				return err
			}
			listed, err := cache.List(cmd.Context(), c)
			if err != nil {
				return err
			}
			if asJSON {
				if listed == nil {
					listed = []cache.Listed{}
				}
				return a.printJSON(listed)
			}
			tw := a.table()
			for _, l := range listed {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", l.ID, humanSize(l.Size), strings.Join(l.Signers, " "))
			}
			return tw.Flush()
		},
	}
	jsonFlag(c, &asJSON)
	return c
}
