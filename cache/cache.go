package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Cache is one binary cache: a registry repository, a directory or a web
// server serving a directory cache. Every kind keeps the same things: per
// entry a manifest found by the entry's Key, and content-addressed blobs.
type Cache interface {
	// String is the cache's URL, as messages name it.
	String() string

	// manifest returns the manifest held under key; its error wraps
	// ErrNotFound when there is none.
	manifest(ctx context.Context, key string) ([]byte, error)
	// keys returns the keys of every manifest the cache holds.
	keys(ctx context.Context) ([]string, error)
	// blob opens the blob d; the caller checks what it reads.
	blob(ctx context.Context, d ocispec.Descriptor) (io.ReadCloser, error)
}

// pushTarget is a Cache that takes pushes: a registry or a directory.
type pushTarget interface {
	Cache
	// prepare readies the cache for a push, or says why it takes none.
	prepare(ctx context.Context) error
	hasBlob(ctx context.Context, d ocispec.Descriptor) (bool, error)
	// createBlob returns a file to write a new blob into; putBlob then
	// stores it as d and removes the file, whatever happens.
	createBlob() (*os.File, error)
	putBlob(ctx context.Context, d ocispec.Descriptor, f *os.File) error
	putManifest(ctx context.Context, key string, data []byte) error
}

// ErrNotFound is wrapped by the errors of a cache that lacks what was
// asked for.
var ErrNotFound = errors.New("not in the cache")

// noCacheError is a cache that is not there at all: nothing was pushed
// to it yet (or its URL is wrong). It holds no entry: it is ErrNotFound.
type noCacheError struct {
	// what is missing, as the kind of cache finds it.
	what string
	// webServer is set for a cache served over HTTP, where a missing
	// listing may also be a server that does not list directories.
	webServer bool
}

func (e *noCacheError) Error() string { return "no cache there: " + e.what }

func (e *noCacheError) Is(target error) bool { return target == ErrNotFound }

// Options are what opening a cache needs from its caller.
type Options struct {
	// DockerConfig is the docker configuration file registry credentials
	// come from ($DOCKER_CONFIG/config.json or ~/.docker/config.json),
	// with its credential helpers; "" means no credentials.
	DockerConfig string
	// TempDir is where a registry's blobs are written before their
	// upload; "" is the system's.
	TempDir string
}

// Open returns the cache at rawURL: oci://HOST[:PORT]/REPO (oci+http://
// for a registry over plain HTTP), file:///DIR or a path, or an http:// or
// https:// URL serving a directory cache.
func Open(rawURL string, opts Options) (Cache, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		if rawURL == "" {
			return nil, errors.New("empty cache URL")
		}
		dir, err := filepath.Abs(rawURL)
		if err != nil {
			return nil, err
		}
		return &dirCache{dir: dir, url: rawURL}, nil
	}
	switch scheme {
	case "file":
		u, err := url.Parse(rawURL)
		if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
			return nil, fmt.Errorf("cache %s: want file:///DIR, an absolute directory", rawURL)
		}
		return &dirCache{dir: filepath.Clean(u.Path), url: rawURL}, nil
	case "oci", "oci+http":
		return openRegistry(rawURL, rest, scheme == "oci+http", opts)
	case "http", "https":
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("cache %s: not a valid URL", rawURL)
		}
		return newHTTPCache(u), nil
	}
	return nil, fmt.Errorf("cache %s: unknown kind %q: want oci://, oci+http://, file://, http:// or https://", rawURL, scheme)
}
