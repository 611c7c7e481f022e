package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

// DefaultMaxLayers is how many layers an image has at most unless told.
const DefaultMaxLayers = 100

// Spec is what an image is made of.
type Spec struct {
	// Generation's tree goes to ProfileDir, its entries (the closure) to
	// their own paths.
	Generation *profile.Generation
	// Env is the generation's environment as this machine computed it,
	// starting from From: what Env has as From has it is the builder's,
	// not the image's (see Options.Base for what the image starts from).
	Env, From map[string]string
}

// Options are the choices of a build.
type Options struct {
	// MaxLayers bounds the image's layers, the base's included (0:
	// DefaultMaxLayers).
	MaxLayers int
	// Cmd and Entrypoint, when not nil, replace the base's. An
	// entrypoint given without a command clears the base's command.
	Cmd, Entrypoint []string
	// WorkDir, when set, is the working directory (absolute).
	WorkDir string
	// Labels are added to the base's.
	Labels map[string]string
	// Base, when set, gives the layers below the closure and the
	// configuration the image starts from.
	Base *Base
}

// Builder builds images, keeping the layers it writes in its cache.
type Builder struct {
	cache *layerCache
}

// NewBuilder returns a builder whose layer cache is the directory
// cacheDir, made if need be.
func NewBuilder(cacheDir string) (*Builder, error) {
	c, err := openLayerCache(cacheDir)
	if err != nil {
		return nil, err
	}
	return &Builder{cache: c}, nil
}

// Close ends the builder's use of its cache, once its images are
// written.
func (b *Builder) Close() { b.cache.close() }

// Image is a built image, ready to be written or pushed.
type Image struct {
	// Manifest describes the image manifest: its digest is the image's.
	Manifest ocispec.Descriptor
	manifest []byte
	config   []byte
	configD  ocispec.Descriptor
	layers   []layerBlob
}

// Layers is the number of the image's layers.
func (im *Image) Layers() int { return len(im.layers) }

// epoch is the time an image says it was made: the same anywhere.
var epoch = time.Unix(0, 0).UTC()

// Build makes the image of spec.
func (b *Builder) Build(ctx context.Context, spec Spec, opts Options) (*Image, error) {
	gen := spec.Generation
	if gen == nil {
		return nil, errors.New("no generation to make an image of")
	}
	if opts.MaxLayers == 0 {
		opts.MaxLayers = DefaultMaxLayers
	}
	var baseLayers []layerBlob
	cfg := ocispec.Image{Platform: ocispec.Platform{Architecture: runtime.GOARCH, OS: "linux"}}
	if opts.Base != nil {
		baseLayers, cfg = opts.Base.layers, opts.Base.config
	}
	slots := opts.MaxLayers - len(baseLayers) - 1
	if slots < 0 {
		return nil, fmt.Errorf("%d layers at most cannot hold the %d of the base and the profile's", opts.MaxLayers, len(baseLayers))
	}
	if opts.WorkDir != "" && !path.IsAbs(opts.WorkDir) {
		return nil, fmt.Errorf("working directory %q is not absolute", opts.WorkDir)
	}
	for _, e := range gen.Entries {
		if !path.IsAbs(e.Path) {
			return nil, fmt.Errorf("entry %s: path %q is not absolute", e.ID, e.Path)
		}
	}
	// A layer is the base's when the base has one of the same files, its
	// diff id, however compressed (a docker-archive's are not).
	inBase := func(diffID digest.Digest) bool {
		return slices.ContainsFunc(baseLayers, func(b layerBlob) bool { return b.diffID == diffID })
	}
	// An entry the base has already in a layer of its own (a base built
	// by noxenv) is not added again, nor given a layer's place.
	ranked := slices.DeleteFunc(rank(gen.Entries), func(e *store.Entry) bool {
		r, ok := b.cache.get(entryKey(e))
		return ok && r.Layer != nil && inBase(r.Layer.DiffID)
	})
	own, shared := split(ranked, slots)

	layers := make([]layerBlob, len(own)+1)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	// The last layer may be the longest to write: it starts first.
	g.Go(func() (err error) {
		layers[len(own)], err = lastLayer(gctx, b.cache, shared, profileTree{gen: gen, opaque: len(baseLayers) > 0})
		return err
	})
	for i, e := range own {
		g.Go(func() (err error) {
			layers[i], err = entryLayer(gctx, b.cache, e)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	// The same files from a cache that did not know them.
	layers = slices.DeleteFunc(layers, func(l layerBlob) bool { return inBase(l.diffID) })
	im := &Image{layers: append(slices.Clip(baseLayers), layers...)}
	configure(&cfg, spec, opts, gen.Entries)
	if err := checkUTF8(&cfg.Config); err != nil {
		return nil, err
	}
	cfg.Created = &epoch
	cfg.RootFS = ocispec.RootFS{Type: "layers"}
	for _, l := range im.layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, l.diffID)
	}
	for _, l := range layers {
		cfg.History = append(cfg.History, ocispec.History{Created: &epoch, CreatedBy: "noxenv image build", Comment: l.holds})
	}
	var err error
	if im.config, err = json.Marshal(cfg); err != nil {
		return nil, err
	}
	im.configD = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: digest.FromBytes(im.config), Size: int64(len(im.config))}
	man := ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest,
		Config:    im.configD,
	}
	for _, l := range im.layers {
		man.Layers = append(man.Layers, l.desc)
	}
	if im.manifest, err = json.Marshal(man); err != nil {
		return nil, err
	}
	im.Manifest = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(im.manifest), Size: int64(len(im.manifest))}
	return im, nil
}

// configure sets the runtime configuration of cfg, the base's or none:
// the environment, command, working directory and labels.
func configure(cfg *ocispec.Image, spec Spec, opts Options, closure []*store.Entry) {
	c := &cfg.Config
	start := map[string]string{}
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		start[k] = v
	}
	inImage := func(dir string) bool {
		for _, e := range closure {
			if within(dir, e.Path) {
				return true
			}
		}
		return false
	}
	c.Env = environ(spec.Env, spec.From, start, spec.Generation.Dir, inImage)
	if opts.Entrypoint != nil {
		c.Entrypoint, c.Cmd = opts.Entrypoint, nil
	}
	if opts.Cmd != nil {
		c.Cmd = opts.Cmd
	}
	if opts.WorkDir != "" {
		c.WorkingDir = opts.WorkDir
	}
	if len(opts.Labels) > 0 {
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		maps.Copy(c.Labels, opts.Labels)
	}
}

// checkUTF8 says which string of the runtime configuration c is not
// UTF-8: an image's configuration is JSON, whose encoding would put U+FFFD
// in place of such bytes, a silently other value.
func checkUTF8(c *ocispec.ImageConfig) error {
	const notUTF8 = "is not UTF-8, which an image's configuration cannot hold"
	for _, kv := range c.Env {
		if !utf8.ValidString(kv) {
			k, _, _ := strings.Cut(kv, "=")
			return fmt.Errorf("variable %s: its value %s", k, notUTF8)
		}
	}
	for what, words := range map[string][]string{"entrypoint": c.Entrypoint, "command": c.Cmd} {
		for _, w := range words {
			if !utf8.ValidString(w) {
				return fmt.Errorf("%s word %q %s", what, w, notUTF8)
			}
		}
	}
	if !utf8.ValidString(c.WorkingDir) {
		return fmt.Errorf("working directory %q %s", c.WorkingDir, notUTF8)
	}
	for k, v := range c.Labels {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("label %q=%q %s", k, v, notUTF8)
		}
	}
	return nil
}
