//go:build oci

package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/activate"
	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
	"github.com/noxenv/noxenv/image"
	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

func newImageCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "image", Short: imageShort}
	c.AddCommand(newImageBuildCmd(a))
	return c
}

// imageFlags are the choices of image build.
type imageFlags struct {
	profile, project, out, format, push, tag, workdir, base string
	cmd, entrypoint                                         string
	maxLayers                                               int
	labels                                                  []string
}

// tagPattern is what a registry takes as a tag.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

func newImageBuildCmd(a *app) *cobra.Command {
	var f imageFlags
	c := &cobra.Command{
		Use:   "build [-p PROFILE | --project DIR | PKG...] [-o OUT] [--push REF]",
		Short: "Build an OCI image of a profile, a project or packages",
		Long: `Build an OCI image of the closure of a profile's current generation, of a
project's packages, or of PKGs: each entry at its own path, the profile at
/noxenv/profile, the environment relative to it (a project's own variables
included, none of this session's). -o OUT writes an OCI image layout
directory, or with --format docker-archive a tarball for docker load and
podman load; --push REF (HOST[:PORT]/REPO[:TAG]; oci+http:// for a registry
without TLS) sends it to a registry with docker's credentials. The most
popular entries get a layer each, at most --max-layers layers in all.
--cmd and --entrypoint take a command line, split as the shell splits it.`,
		Args: args(func(cmd *cobra.Command, argv []string) error {
			n := 0
			for _, set := range []bool{len(argv) > 0, f.profile != "", f.project != ""} {
				if set {
					n++
				}
			}
			if n != 1 {
				return errors.New("want one of PKG..., -p PROFILE or --project DIR")
			}
			if f.out == "" && f.push == "" {
				return errors.New("want -o OUT, --push REF or both")
			}
			if f.format != "oci" && f.format != "docker-archive" {
				return fmt.Errorf("--format %s: want oci or docker-archive", f.format)
			}
			if f.format != "oci" && f.out == "" {
				return errors.New("--format needs -o OUT")
			}
			if f.maxLayers < 1 {
				return fmt.Errorf("--max-layers %d: want at least 1", f.maxLayers)
			}
			if !tagPattern.MatchString(f.tag) {
				return fmt.Errorf("--tag %q: not a valid tag", f.tag)
			}
			return checkPkgs(argv)
		}),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.buildImage(cmd.Context(), cmd, argv, f)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&f.profile, "profile", "p", "", "the closure of a profile's current generation")
	fl.StringVar(&f.project, "project", "", "the packages and environment of the project in DIR")
	fl.StringVarP(&f.out, "output", "o", "", "write the image to OUT")
	fl.StringVar(&f.format, "format", "oci", "what -o writes: oci (an image layout directory) or docker-archive")
	fl.StringVar(&f.push, "push", "", "push the image to the registry reference REF")
	fl.StringVar(&f.tag, "tag", "latest", "the image's tag (in the layout, the archive, and REF without one)")
	fl.IntVar(&f.maxLayers, "max-layers", image.DefaultMaxLayers, "the most layers the image has, a base's included")
	fl.StringVar(&f.cmd, "cmd", "", "the image's command line")
	fl.StringVar(&f.entrypoint, "entrypoint", "", "the image's entrypoint command line")
	fl.StringVar(&f.workdir, "workdir", "", "the image's working directory")
	fl.StringArrayVar(&f.labels, "label", nil, "a label K=V of the image (repeatable)")
	fl.StringVar(&f.base, "base", "", "an image below the closure: an OCI layout DIR[:TAG], a docker-archive or a registry reference")
	return c
}

// imageOptions turns the flags that configure the image into options.
func imageOptions(cmd *cobra.Command, f imageFlags) (image.Options, error) {
	opts := image.Options{MaxLayers: f.maxLayers, WorkDir: f.workdir}
	var err error
	if cmd.Flags().Changed("cmd") {
		if opts.Cmd, err = image.SplitWords(f.cmd); err != nil {
			return opts, front.UsageError{Err: fmt.Errorf("--cmd %q: %w", f.cmd, err)}
		}
	}
	if cmd.Flags().Changed("entrypoint") {
		if opts.Entrypoint, err = image.SplitWords(f.entrypoint); err != nil {
			return opts, front.UsageError{Err: fmt.Errorf("--entrypoint %q: %w", f.entrypoint, err)}
		}
	}
	if f.workdir != "" && !filepath.IsAbs(f.workdir) {
		return opts, front.UsageError{Err: fmt.Errorf("--workdir %q: want an absolute path", f.workdir)}
	}
	for _, l := range f.labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return opts, front.UsageError{Err: fmt.Errorf("--label %q: want K=V", l)}
		}
		if opts.Labels == nil {
			opts.Labels = map[string]string{}
		}
		opts.Labels[k] = v
	}
	return opts, nil
}

// pushReference reads --push REF, its tag --tag's unless it names one.
func pushReference(cmd *cobra.Command, f imageFlags) (image.Reference, error) {
	ref, err := image.ParseReference(f.push)
	if err != nil {
		return ref, front.UsageError{Err: fmt.Errorf("--push: %w", err)}
	}
	name := f.push
	if _, rest, ok := strings.Cut(name, "://"); ok {
		name = rest
	}
	switch {
	case ref.Digest != "":
		return ref, front.UsageError{Err: fmt.Errorf("--push %s: name a tag, not a digest", f.push)}
	case !strings.Contains(name, "/"):
		// A host and port without a repository, read as docker does.
		official := ref.Repository
		if ref.Tag != "" {
			official += ":" + ref.Tag
		}
		return ref, front.UsageError{Err: fmt.Errorf("--push %s: names no repository (docker reads it as Docker Hub's official image %s): want HOST[:PORT]/REPO[:TAG]", f.push, official)}
	case ref.Tag == "":
		ref.Tag = f.tag
	case cmd.Flags().Changed("tag") && ref.Tag != f.tag:
		return ref, front.UsageError{Err: fmt.Errorf("--push %s names tag %s, --tag %s", f.push, ref.Tag, f.tag)}
	}
	return ref, nil
}

func (a *app) buildImage(ctx context.Context, cmd *cobra.Command, pkgs []string, f imageFlags) error {
	opts, err := imageOptions(cmd, f)
	if err != nil {
		return err
	}
	var ref image.Reference
	if f.push != "" {
		if ref, err = pushReference(cmd, f); err != nil {
			return err
		}
	}
	sp, release, err := a.guardedStores(false)
	if err != nil {
		return err
	}
	defer release()
	b, err := image.NewBuilder(filepath.Join(a.Loc.CacheDir, "image"))
	if err != nil {
		return err
	}
	defer b.Close()
	dockerConfig := a.cacheOptions().DockerConfig
	start := map[string]string{}
	if f.base != "" {
		if opts.Base, err = b.OpenBase(ctx, f.base, dockerConfig); err != nil {
			return err
		}
		start = opts.Base.Env()
	}
	spec, name, err := a.imageSpec(ctx, sp, pkgs, f, start)
	if err != nil {
		return err
	}
	im, err := b.Build(ctx, spec, opts)
	if err != nil {
		return err
	}
	if f.out != "" {
		if f.format == "docker-archive" {
			err = im.WriteArchive(ctx, f.out, []string{name + ":" + f.tag})
		} else {
			err = im.WriteLayout(ctx, f.out, f.tag)
		}
		if err != nil {
			return err
		}
		a.Logf("wrote image %s to %s (%s)", im.Manifest.Digest, f.out, count(im.Layers(), "layer", "layers"))
	}
	if f.push != "" {
		if err := im.Push(ctx, ref, dockerConfig); err != nil {
			return err
		}
		a.Logf("pushed image %s to %s", im.Manifest.Digest, ref)
	}
	_, err = fmt.Fprintln(a.Stdout, im.Manifest.Digest)
	return err
}

// imageSpec returns what the image is made of, and its name: the
// generation of the packages, the profile's current one, or the project's,
// with its environment relative to start, the base image's.
func (a *app) imageSpec(ctx context.Context, sp *store.SearchPath, pkgs []string, f imageFlags, start map[string]string) (image.Spec, string, error) {
	var (
		dir  string
		name string
		env  map[string]string
		from = start
	)
	switch {
	case f.profile != "":
		r, gi, err := a.existingProfile(f.profile)
		if err != nil {
			return image.Spec{}, "", err
		}
		dir, name = gi.Dir, filepath.Base(r.name)
	case f.project != "":
		file, err := a.projectFile([]string{f.project})
		if err != nil {
			return image.Spec{}, "", err
		}
		cfg, err := a.activateConfig()
		if err != nil {
			return image.Spec{}, "", err
		}
		// The project as a fresh session would have it, less the
		// session: what it changes is the image's. Who builds, in
		// which terminal and locale, is not there at all: a value the
		// project sets that the session happens to have too is the
		// image's all the same, and what the project makes of them is
		// the same whoever builds.
		from = pureEnv(prompt.Revert(a.Env))
		for _, k := range sessionVars {
			delete(from, k)
		}
		res, err := activate.Evaluate(ctx, cfg, file, from)
		if err != nil {
			return image.Spec{}, "", err
		}
		env, name = res.Env, filepath.Base(filepath.Dir(file))
		if res.Generation != nil {
			dir = res.Generation.Dir
		}
	default:
		found, _, err := sp.LocateAll(ctx, pkgs)
		if err != nil {
			return image.Spec{}, "", err
		}
		members, _, err := profile.AddMembers(found, nil, pkgs, nil)
		if err != nil {
			return image.Spec{}, "", err
		}
		g, err := profile.Realize(sp, profile.GenerationsDir(a.Loc.StateDir), members)
		if err != nil {
			return image.Spec{}, "", err
		}
		dir, name = g.Dir, members[0].Name
	}
	var g *profile.Generation
	var err error
	if dir != "" {
		g, err = profile.Load(dir)
	} else {
		// A project without packages: its variables and an empty tree.
		g, err = profile.Realize(sp, profile.GenerationsDir(a.Loc.StateDir), nil)
	}
	if err != nil {
		return image.Spec{}, "", err
	}
	if env == nil {
		env = profile.Environ(g, start)
	}
	return image.Spec{Generation: g, Env: env, From: from}, repoName(name), nil
}

// sessionVars are the variables of a fresh session (pureVars) that a
// project's image is evaluated without: the builder's user, terminal,
// locale and display, and XDG_DATA_DIRS, unset so that the default is
// kept. What locates noxenv's own things (HOME, the XDG directories,
// NOXENV_STORE_PATH) stays.
var sessionVars = []string{"USER", "LOGNAME", "SHELL", "TERM", "COLORTERM", "LANG", "LANGUAGE",
	"LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY",
	"XDG_RUNTIME_DIR", "XDG_DATA_DIRS"}

// maxRepoName bounds an image's name, well within the 255 bytes of a
// whole repository name, a registry's host included.
const maxRepoName = 128

// repoName makes name a repository name as docker takes it: lowercase
// letters and digits in runs joined by one separator, a '.', a '_', "__"
// or dashes; any other character, or run of separators, is a dash.
func repoName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '-'
	}, name)
	var b strings.Builder
	for name != "" {
		sep := strings.IndexFunc(name, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
		if sep < 0 {
			sep = len(name)
		}
		b.WriteString(name[:sep])
		name = name[sep:]
		end := strings.IndexFunc(name, func(r rune) bool { return r != '.' && r != '_' && r != '-' })
		if end < 0 {
			end = len(name)
		}
		switch run := name[:end]; {
		case run == "." || run == "_" || run == "__" || strings.Trim(run, "-") == "":
			b.WriteString(run)
		default:
			b.WriteByte('-')
		}
		name = name[end:]
	}
	name = strings.Trim(b.String(), "._-")
	if len(name) > maxRepoName {
		name = strings.TrimRight(name[:maxRepoName], "._-")
	}
	if name == "" {
		return "noxenv-image"
	}
	return name
}
