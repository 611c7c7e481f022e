package cache

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/noxenv/noxenv/store"
)

// halfBlobServer serves the cache in dir as a web server would, but of
// each blob the first half only, after which rest decides what the
// server does.
func halfBlobServer(dir string, rest func(w http.ResponseWriter, r *http.Request)) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/blobs/") {
			http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		rest(w, r)
	}))
}

// checkGivenUp pulls e into b from broken, whose transfers break off: the
// error names the entry, the cache and want, with the hint to check the
// cache; nothing of the entry stays, and good after broken gives it.
func checkGivenUp(t *testing.T, b *machine, broken, good Cache, e *store.Entry, want string) {
	t.Helper()
	err := b.pull([]Cache{broken}, e.ID)
	mustErr(t, err, e.ID, broken.String(), want)
	if h := hintOf(err); !strings.Contains(h, "reachable") {
		t.Errorf("hint %q, want one to check the cache", h)
	}
	if ids := b.ids(); len(ids) != 0 {
		t.Fatalf("the store holds %v", ids)
	}
	b.verifyAll()
	f := &Fetcher{Caches: []Cache{broken, good}}
	if err := f.Fetch(context.Background(), b.sp, []string{e.ID}); err != nil {
		t.Fatalf("with a good cache after the broken one: %v", err)
	}
	b.verifyAll()
}

// A web server that stops sending in the middle of a layer is given up
// once it has sent nothing for stallTimeout, not waited for without end
// (a prompt substituting a locked project would hang).
func TestHTTPStalled(t *testing.T) {
	defer func(d time.Duration) { stallTimeout = d }(stallTimeout)
	stallTimeout = 300 * time.Millisecond
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	noise := make([]byte, 1<<20)
	r := rand.NewChaCha8([32]byte{})
	r.Read(noise)
	e := a.add("big-1.0", map[string]string{"share/noise": string(noise)})
	dir := filepath.Join(tmp, "cache")
	good := openDir(t, dir)
	push(t, good, []*store.Entry{e}, nil)

	release := make(chan struct{})
	srv := halfBlobServer(dir, func(w http.ResponseWriter, r *http.Request) {
		select { // stalled
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer srv.Close()
	defer close(release)
	stalled, err := Open(srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkGivenUp(t, newMachine(t, filepath.Join(tmp, "b")), stalled, good, e, "stalled")
}

// A web server that closes the connection in the middle of a layer: the
// error says the transfer broke off, with how much came, not only
// "unexpected EOF".
func TestHTTPCutShort(t *testing.T) {
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	e := a.add("tool-1.0", map[string]string{"bin/tool": strings.Repeat("tool\n", 1000)})
	dir := filepath.Join(tmp, "cache")
	good := openDir(t, dir)
	push(t, good, []*store.Entry{e}, nil)
	srv := halfBlobServer(dir, func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})
	defer srv.Close()
	cut, err := Open(srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkGivenUp(t, newMachine(t, filepath.Join(tmp, "b")), cut, good, e, "broke off")
}

// A substituter that does not answer is given up once per fetch, not
// again at every level of a closure's references: a closure three levels
// deep asks it once, not three times (each a wait of responseTimeout
// before the prompt goes on).
func TestSilentCacheAskedOnce(t *testing.T) {
	defer func(d time.Duration) { responseTimeout = d }(responseTimeout)
	responseTimeout = 200 * time.Millisecond
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	closure := a.closure3()
	dir := filepath.Join(tmp, "cache")
	good := openDir(t, dir)
	push(t, good, closure, nil)

	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		<-r.Context().Done() // never answers
	}))
	defer srv.Close()
	silent, err := Open(srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := newMachine(t, filepath.Join(tmp, "b"))
	if err := b.pull([]Cache{silent, good}, closure[0].ID); err != nil {
		t.Fatal(err)
	}
	b.verifyAll()
	if n := asked.Load(); n != 1 {
		t.Errorf("the silent cache was asked %d times, want once", n)
	}

	// Resolve and fetch by name, request after request, ask it once too.
	f := &Fetcher{Caches: []Cache{silent, good}}
	c := newMachine(t, filepath.Join(tmp, "c"))
	asked.Store(0)
	reqs := []store.Request{{Name: "app"}, {Name: "tool"}}
	if i, err := f.FetchRequests(context.Background(), c.sp, reqs); err == nil || i != 0 {
		t.Fatalf("unsigned entries fetched by name: %d, %v", i, err)
	}
	if _, err := f.Resolve(context.Background(), reqs[1]); err == nil {
		t.Fatal("an unsigned entry resolved")
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("resolving two requests asked the silent cache %d times, want once", n)
	}
}

// A web server that answers a page of HTML where a cache's file should
// be (a login or error page, a URL that is not the cache's) is said to,
// with a hint to check the URL; not taken for a damaged cache that a
// push would mend.
func TestHTTPAnswersHTML(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("\n<!DOCTYPE html>\n<html><body>Sign in to continue</body></html>\n"))
	}))
	defer srv.Close()
	c, err := Open(srv.URL+"/cache", Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := newMachine(t, filepath.Join(t.TempDir(), "b"))
	id := "0123456789abcdfghijklmnpqrsvwxyz-tool-1.0"
	err = b.pull([]Cache{c}, id)
	mustErr(t, err, id, c.String(), "HTML")
	if h := hintOf(err); !strings.Contains(h, "URL") || strings.Contains(h, "push") {
		t.Errorf("hint %q, want one to check the URL", h)
	}
	if ids := b.ids(); len(ids) != 0 {
		t.Fatalf("the store holds %v", ids)
	}
}
