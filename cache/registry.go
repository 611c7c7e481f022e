package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// registryCache is a repository of an OCI distribution registry: each
// entry is an image manifest tagged with its Key, its layer and config
// blobs of the repository.
type registryCache struct {
	url     string
	repo    *remote.Repository
	tempDir string
}

func openRegistry(rawURL, ref string, plainHTTP bool, opts Options) (*registryCache, error) {
	ref = strings.TrimSuffix(ref, "/") // as a directory's URL may end
	host, repo, ok := strings.Cut(ref, "/")
	if !ok || host == "" || repo == "" || strings.ContainsAny(repo, ":@") {
		return nil, fmt.Errorf("cache %s: want oci://HOST[:PORT]/REPO", rawURL)
	}
	r, err := NewRepository(ref, plainHTTP, opts.DockerConfig)
	if err != nil {
		return nil, fmt.Errorf("cache %s: %w", rawURL, err)
	}
	return &registryCache{url: rawURL, repo: r, tempDir: opts.TempDir}, nil
}

func (c *registryCache) String() string { return c.url }

// notFound makes the registry's "not found" ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, errdef.ErrNotFound) {
		return fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	return err
}

func (c *registryCache) manifest(ctx context.Context, key string) ([]byte, error) {
	_, rc, err := c.repo.Manifests().FetchReference(ctx, key)
	if err != nil {
		return nil, notFound(err)
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, maxManifestSize+1))
}

func (c *registryCache) keys(ctx context.Context) ([]string, error) {
	var keys []string
	err := c.repo.Tags(ctx, "", func(tags []string) error {
		for _, t := range tags {
			if validKey(t) {
				keys = append(keys, t)
			}
		}
		return nil
	})
	if statusOf(err) == http.StatusNotFound {
		// NAME_UNKNOWN: a repository comes with its first push.
		return nil, &noCacheError{what: fmt.Sprintf("the registry has no repository %s (%v)", c.repo.Reference.Repository, err)}
	}
	return keys, err
}

func (c *registryCache) blob(ctx context.Context, d ocispec.Descriptor) (io.ReadCloser, error) {
	rc, err := c.repo.Blobs().Fetch(ctx, d)
	return rc, notFound(err)
}

func (c *registryCache) prepare(context.Context) error { return nil }

func (c *registryCache) hasBlob(ctx context.Context, d ocispec.Descriptor) (bool, error) {
	return c.repo.Blobs().Exists(ctx, d)
}

// createBlob returns a file that has no name: the upload reads it by
// its descriptor, and a push killed at any moment leaves nothing in the
// temporary directory.
func (c *registryCache) createBlob() (*os.File, error) {
	f, err := os.CreateTemp(c.tempDir, "noxenv-blob-")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (c *registryCache) putBlob(ctx context.Context, d ocispec.Descriptor, f *os.File) error {
	defer f.Close()
	return PushBlob(ctx, c.repo, d, f)
}

func (c *registryCache) putManifest(ctx context.Context, key string, data []byte) error {
	return PushManifest(ctx, c.repo, ocispec.MediaTypeImageManifest, data, key)
}

// PushBlob uploads the blob d, its bytes read from r, to repo. The
// upload's body cannot be rewound by the HTTP client (which closes it
// once sent): an upload failing with a status the retry policy retries
// starts again, reading r anew.
func PushBlob(ctx context.Context, repo *remote.Repository, d ocispec.Descriptor, r io.ReaderAt) error {
	return retryUpload(ctx, func() error {
		return repo.Blobs().Push(ctx, d, io.NewSectionReader(r, 0, d.Size))
	})
}

// PushManifest uploads the manifest data, of mediaType, to repo under
// the tag ref, retrying as PushBlob does.
func PushManifest(ctx context.Context, repo *remote.Repository, mediaType string, data []byte, ref string) error {
	d := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	return retryUpload(ctx, func() error {
		return repo.Manifests().PushReference(ctx, d, bytes.NewReader(data), ref)
	})
}

// retryUpload runs upload again while it fails with a status that
// retryPolicy retries, or with a manifest's blob unknown, waiting as it
// says.
func retryUpload(ctx context.Context, upload func() error) error {
	for attempt := 0; ; attempt++ {
		err := upload()
		status := statusOf(err)
		if err == nil || status == 0 {
			return err
		}
		if manifestBlobUnknown(err) {
			// Distribution 2.8 says so for a moment while another push
			// commits one of the manifest's blobs (it rewrites the blob's
			// link in the repository): asked again, as a busy server is.
			status = http.StatusServiceUnavailable
		}
		wait, _ := retryPolicy.Retry(attempt, &http.Response{StatusCode: status}, nil)
		if wait < 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// manifestBlobUnknown reports whether err is a registry refusing a
// manifest because it does not know one of its blobs.
func manifestBlobUnknown(err error) bool {
	var er *errcode.ErrorResponse
	if !errors.As(err, &er) {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == errcode.ErrorCodeManifestBlobUnknown {
			return true
		}
	}
	return false
}
