package image

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/noxenv/noxenv/cache"
)

// pushes is how many blobs are sent at once.
const pushes = 4

// Push sends im to the registry reference ref with the credentials of
// the docker configuration file dockerConfig: the blobs the repository
// lacks, then the manifest under ref's tag, which so names a whole image
// whenever it appears.
func (im *Image) Push(ctx context.Context, ref Reference, dockerConfig string) error {
	repo, err := cache.NewRepository(ref.Repo(), ref.PlainHTTP, dockerConfig)
	if err == nil {
		err = im.push(ctx, repo, ref.Tag)
	}
	if err != nil {
		return &RegistryError{Ref: ref, Err: err}
	}
	return nil
}

func (im *Image) push(ctx context.Context, repo *remote.Repository, tag string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pushes)
	g.Go(func() error { return pushBlob(gctx, repo, im.configD, bytes.NewReader(im.config)) })
	sent := map[string]bool{}
	for _, l := range im.layers {
		if sent[l.desc.Digest.String()] {
			continue
		}
		sent[l.desc.Digest.String()] = true
		g.Go(func() error {
			f, err := os.Open(l.file)
			if err != nil {
				return err
			}
			defer f.Close()
			return pushBlob(gctx, repo, l.desc, f)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return cache.PushManifest(ctx, repo, ocispec.MediaTypeImageManifest, im.manifest, tag)
}

// pushBlob sends the blob d, read from r, unless repo has it.
func pushBlob(ctx context.Context, repo *remote.Repository, d ocispec.Descriptor, r io.ReaderAt) error {
	has, err := repo.Blobs().Exists(ctx, d)
	if err != nil || has {
		return err
	}
	if err := cache.PushBlob(ctx, repo, d, r); err != nil {
		return fmt.Errorf("blob %s: %w", d.Digest, err)
	}
	return nil
}
