package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// httpCache is a directory cache (see dirCache) served by a web server
// or an object store's website: read-only (it is no pushTarget).
type httpCache struct {
	base   *url.URL // ends in "/"
	client *http.Client
}

func newHTTPCache(u *url.URL) *httpCache {
	base := *u
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	base.RawPath = ""
	return &httpCache{base: &base, client: NewHTTPClient()}
}

func (c *httpCache) String() string { return strings.TrimSuffix(c.base.String(), "/") }

// get fetches rel, a path under the cache's URL; a 404 wraps ErrNotFound.
func (c *httpCache) get(ctx context.Context, rel string) (io.ReadCloser, error) {
	u := c.base.JoinPath(rel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.Body, nil
	case http.StatusNotFound:
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %w", u, ErrNotFound)
	}
	resp.Body.Close()
	return nil, &statusError{URL: u.String(), Status: resp.StatusCode}
}

func (c *httpCache) manifest(ctx context.Context, key string) ([]byte, error) {
	body, err := c.get(ctx, path.Join(dirEntries, key+manifestSuffix))
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return io.ReadAll(io.LimitReader(body, maxManifestSize+1))
}

func (c *httpCache) blob(ctx context.Context, d ocispec.Descriptor) (io.ReadCloser, error) {
	return c.get(ctx, path.Join(dirBlobs, string(d.Digest.Algorithm()), d.Digest.Encoded()))
}

// maxListingSize bounds what is read of a directory listing.
const maxListingSize = 64 << 20

// keys reads the web server's listing of the entries directory, as
// nginx's autoindex, Apache's and python's http.server give it: there is
// no index file, which every push would have to rewrite.
func (c *httpCache) keys(ctx context.Context) ([]string, error) {
	body, err := c.get(ctx, dirEntries+"/")
	if errors.Is(err, ErrNotFound) {
		return nil, &noCacheError{what: fmt.Sprintf("no listing of %s (or the web server does not list directories)", c.base.JoinPath(dirEntries).String()+"/"), webServer: true}
	}
	if err != nil {
		return nil, fmt.Errorf("listing the entries (the web server must list directories): %w", err)
	}
	defer body.Close()
	page, err := io.ReadAll(io.LimitReader(body, maxListingSize))
	if err != nil {
		return nil, err
	}
	return listingKeys(string(page)), nil
}

// hrefPattern matches the links of a directory listing. Compiled on first
// use, not at every start of noxenv.
var hrefPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)href\s*=\s*["']?([^"'\s>]+)`)
})

// listingKeys returns the keys of the manifests an HTML directory listing
// links to, each once, in the order found.
func listingKeys(page string) []string {
	var keys []string
	seen := map[string]bool{}
	for _, m := range hrefPattern().FindAllStringSubmatch(page, -1) {
		link, err := url.PathUnescape(m[1])
		if err != nil {
			continue
		}
		key, ok := strings.CutSuffix(path.Base(link), manifestSuffix)
		if ok && validKey(key) && !seen[key] {
			seen[key] = true
			keys = append(keys, key)
		}
	}
	return keys
}
