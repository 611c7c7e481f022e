package cache

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/noxenv/noxenv/store"
)

// requests counts what a registry is asked, by method and kind of path.
type requests struct {
	mu    sync.Mutex
	count map[string]int
	// fail, when set, answers instead of the registry.
	fail func(r *http.Request) int
	// failWith, when set, may answer instead of the registry, and then
	// returns true.
	failWith func(w http.ResponseWriter, r *http.Request) bool
}

func (rq *requests) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := "other"
		switch {
		case strings.Contains(r.URL.Path, "/blobs/uploads"):
			kind = "upload"
		case strings.Contains(r.URL.Path, "/blobs/"):
			kind = "blob"
		case strings.Contains(r.URL.Path, "/manifests/"):
			kind = "manifest"
		}
		rq.mu.Lock()
		rq.count[r.Method+" "+kind]++
		fail, failWith := rq.fail, rq.failWith
		rq.mu.Unlock()
		if failWith != nil && failWith(w, r) {
			return
		}
		if fail != nil {
			if status := fail(r); status != 0 {
				w.WriteHeader(status)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (rq *requests) get(key string) int {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	return rq.count[key]
}

func testRegistry(t *testing.T) (Cache, *requests) {
	t.Helper()
	rq := &requests{count: map[string]int{}}
	srv := httptest.NewServer(rq.wrap(registry.New(registry.Logger(log.New(io.Discard, "", 0)))))
	t.Cleanup(srv.Close)
	c, err := Open("oci+http://"+strings.TrimPrefix(srv.URL, "http://")+"/team/pkgs", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c, rq
}

// A closure goes through a registry as through a directory; a second push
// sends no blob and no manifest.
func TestRegistryPushPull(t *testing.T) {
	c, rq := testRegistry(t)
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	closure := a.closure3()
	push(t, c, closure, nil)
	uploads := rq.get("POST upload")
	if uploads == 0 {
		t.Fatal("no blob uploaded")
	}
	res := push(t, c, closure, nil)
	if len(res.Present) != 3 || rq.get("POST upload") != uploads || rq.get("PUT manifest") != 3 {
		t.Fatalf("second push: %+v, %d uploads (first %d), %d manifests put", res, rq.get("POST upload"), uploads, rq.get("PUT manifest"))
	}
	listed, err := List(context.Background(), c)
	if err != nil || len(listed) != 3 {
		t.Fatalf("List: %v, %v", listed, err)
	}
	b := newMachine(t, filepath.Join(tmp, "b"))
	if err := b.pull([]Cache{c}, closure[0].ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.ids(), a.ids()) {
		t.Fatalf("pulled %v, want %v", b.ids(), a.ids())
	}
	b.verifyAll()
}

// A registry answering 503 or 429 now and then is retried with backoff:
// the push and the pull go through.
func TestRegistryRetries(t *testing.T) {
	c, rq := testRegistry(t)
	var mu sync.Mutex
	seen := map[string]int{}
	// The first upload, manifest put, manifest get and blob get fail.
	rq.fail = func(r *http.Request) int {
		mu.Lock()
		defer mu.Unlock()
		kind := r.Method
		for _, k := range []string{"/blobs/uploads/", "/manifests/", "/blobs/"} {
			if strings.Contains(r.URL.Path, k) {
				kind += " " + k
				break
			}
		}
		if seen[kind]++; seen[kind] > 1 || r.Method == http.MethodHead {
			return 0
		}
		if r.Method == http.MethodGet {
			return http.StatusTooManyRequests
		}
		return http.StatusServiceUnavailable
	}
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	closure := a.closure3()
	push(t, c, closure, nil)
	b := newMachine(t, filepath.Join(tmp, "b"))
	if err := b.pull([]Cache{c}, closure[0].ID); err != nil {
		t.Fatal(err)
	}
	b.verifyAll()
}

// The layer a push to a registry writes before its upload has no name in
// the temporary directory while it is uploaded: a push killed then
// leaves nothing there (a layer may be gigabytes).
func TestRegistryPushLeavesNoTempFile(t *testing.T) {
	reg, rq := testRegistry(t)
	tempDir := t.TempDir()
	c, err := Open(reg.String(), Options{TempDir: tempDir})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	rq.fail = func(r *http.Request) int {
		if strings.Contains(r.URL.Path, "/blobs/uploads") {
			des, _ := os.ReadDir(tempDir)
			mu.Lock()
			for _, de := range des {
				seen = append(seen, de.Name())
			}
			mu.Unlock()
		}
		return 0
	}
	a := newMachine(t, filepath.Join(t.TempDir(), "a"))
	push(t, c, a.closure3(), nil)
	if rq.get("POST upload") == 0 {
		t.Fatal("no blob uploaded")
	}
	if len(seen) > 0 {
		t.Errorf("during the uploads, the temporary directory held %v", seen)
	}
}

// A cache that nothing was pushed to yet (a directory not made, a
// registry repository unknown, a web server without the directory) holds
// no entry, for every kind alike: a request by name is left to the
// stores, which say what they hold; listing it is an error saying that
// no cache is there, not a hint to list it.
func TestNoCacheThere(t *testing.T) {
	tmp := t.TempDir()
	reg, _ := testRegistry(t)
	unknownRepo, err := Open(strings.TrimSuffix(reg.String(), "/team/pkgs")+"/team/none", Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	web, err := Open(srv.URL+"/none", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Cache{openDir(t, filepath.Join(tmp, "none")), unknownRepo, web} {
		t.Run(strings.SplitN(c.String(), ":", 2)[0], func(t *testing.T) {
			_, err := List(context.Background(), c)
			mustErr(t, err, c.String(), "no cache there")
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%v does not wrap ErrNotFound", err)
			}
			if h := hintOf(err); strings.Contains(h, "cache list") || !strings.Contains(h, "push") {
				t.Errorf("hint %q, want one to push to it", h)
			}
			b := newMachine(t, filepath.Join(t.TempDir(), "b"))
			f := &Fetcher{Caches: []Cache{c}}
			if i, err := f.FetchRequests(context.Background(), b.sp, []store.Request{{Name: "tool"}}); err != nil {
				t.Errorf("a request by name: %d, %v; want it left to the stores", i, err)
			}
		})
	}
}

// A registry that says a manifest's blob is unknown just after the push
// found it there, as distribution 2.8 does while another push commits
// the same blob (it rewrites the blob's link in the repository), is asked
// again: two machines pushing closures that share entries both land.
func TestRegistryManifestBlobUnknownRetried(t *testing.T) {
	c, rq := testRegistry(t)
	var mu sync.Mutex
	refused := 0
	rq.failWith = func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/manifests/") || refused >= 2 {
			return false
		}
		refused++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:f39cb2ff07e67b20556250543341f74a87af99c58388f8e77e416ccaf215f4ab"}]}`))
		return true
	}
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	closure := a.closure3()
	push(t, c, closure, nil)
	if refused != 2 {
		t.Fatalf("%d manifests refused, want 2", refused)
	}
	b := newMachine(t, filepath.Join(tmp, "b"))
	if err := b.pull([]Cache{c}, closure[0].ID); err != nil {
		t.Fatal(err)
	}
	b.verifyAll()
}

// A docker configuration naming a credential helper that is not
// installed: the error names the helper, the hint says to install it or
// to log in otherwise.
func TestRegistryCredentialHelperMissing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	config := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(config, []byte(`{"credsStore":"noxenv-test-missing"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Open("oci+http://"+strings.TrimPrefix(srv.URL, "http://")+"/team/pkgs", Options{DockerConfig: config})
	if err != nil {
		t.Fatal(err)
	}
	b := newMachine(t, filepath.Join(t.TempDir(), "b"))
	err = b.pull([]Cache{c}, "0123456789abcdfghijklmnpqrsvwxyz-tool-1.0")
	mustErr(t, err, "docker-credential-noxenv-test-missing")
	if h := hintOf(err); !strings.Contains(h, "docker-credential-noxenv-test-missing") {
		t.Errorf("hint %q, want one naming the helper", h)
	}
}

// A registry over plain HTTP named with oci:// (which speaks TLS): the
// hint says to write oci+http://.
func TestRegistryPlainHTTPAsTLS(t *testing.T) {
	reg, _ := testRegistry(t)
	c, err := Open(strings.Replace(reg.String(), "oci+http://", "oci://", 1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := newMachine(t, filepath.Join(t.TempDir(), "b"))
	err = b.pull([]Cache{c}, "0123456789abcdfghijklmnpqrsvwxyz-tool-1.0")
	mustErr(t, err, c.String())
	if h := hintOf(err); !strings.Contains(h, strings.Replace(c.String(), "oci://", "oci+http://", 1)) {
		t.Errorf("hint %q, want one to write oci+http://", h)
	}
}

// A registry's URL ending in a slash names the same repository, as a
// directory's or a web server's does.
func TestRegistryURLTrailingSlash(t *testing.T) {
	reg, _ := testRegistry(t)
	a := newMachine(t, filepath.Join(t.TempDir(), "a"))
	closure := a.closure3()
	push(t, reg, closure, nil)
	c, err := Open(reg.String()+"/", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if listed, err := List(context.Background(), c); err != nil || len(listed) != 3 {
		t.Fatalf("List of %s: %v, %v", c, listed, err)
	}
}
