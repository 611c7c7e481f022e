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
	"testing"
	"time"

	"github.com/noxenv/noxenv/store"
)

// A web server that stops sending in the middle of a layer is given up
// once it has sent nothing for stallTimeout, not waited for without end
// (a prompt substituting a locked project would hang): the error names
// the cache, the entry and the stall, nothing of the entry stays, and the
// next substituter gives it.
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		select { // stalled
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	stalled, err := Open(srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}

	b := newMachine(t, filepath.Join(tmp, "b"))
	err = b.pull([]Cache{stalled}, e.ID)
	mustErr(t, err, e.ID, stalled.String(), "stalled")
	if h := hintOf(err); !strings.Contains(h, "reachable") {
		t.Errorf("hint %q, want one to check the cache", h)
	}
	if ids := b.ids(); len(ids) != 0 {
		t.Fatalf("the store holds %v", ids)
	}
	b.verifyAll()

	f := &Fetcher{Caches: []Cache{stalled, good}}
	if err := f.Fetch(context.Background(), b.sp, []string{e.ID}); err != nil {
		t.Fatalf("with a good cache after the stalled one: %v", err)
	}
	b.verifyAll()
}

// A web server that closes the connection in the middle of a layer: the
// error says the transfer broke off, with how much came, not only
// "unexpected EOF"; nothing of the entry stays, the next substituter
// gives it.
func TestHTTPCutShort(t *testing.T) {
	tmp := t.TempDir()
	a := newMachine(t, filepath.Join(tmp, "a"))
	e := a.add("tool-1.0", map[string]string{"bin/tool": strings.Repeat("tool\n", 1000)})
	dir := filepath.Join(tmp, "cache")
	good := openDir(t, dir)
	push(t, good, []*store.Entry{e}, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	cut, err := Open(srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := newMachine(t, filepath.Join(tmp, "b"))
	err = b.pull([]Cache{cut}, e.ID)
	mustErr(t, err, e.ID, cut.String(), "broke off")
	if h := hintOf(err); !strings.Contains(h, "reachable") {
		t.Errorf("hint %q, want one to check the cache", h)
	}
	if ids := b.ids(); len(ids) != 0 {
		t.Fatalf("the store holds %v", ids)
	}
	b.verifyAll()
	f := &Fetcher{Caches: []Cache{cut, good}}
	if err := f.Fetch(context.Background(), b.sp, []string{e.ID}); err != nil {
		t.Fatalf("with a good cache after the one cut short: %v", err)
	}
}
