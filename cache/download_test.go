package cache

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/f":
			w.Write([]byte("content"))
		case "/moved":
			http.Redirect(w, r, "/f", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, p := range []string{"/f", "/moved"} {
		var b bytes.Buffer
		if err := Download(context.Background(), srv.URL+p, &b); err != nil || b.String() != "content" {
			t.Errorf("Download(%s) = %q, %v", p, b.String(), err)
		}
	}
	var b bytes.Buffer
	if err := Download(context.Background(), srv.URL+"/nope", &b); err == nil || !strings.Contains(err.Error(), "404 Not Found") || b.Len() != 0 {
		t.Errorf("Download of a missing file: %v, wrote %q", err, b.String())
	}
	if err := Download(context.Background(), "ftp://example.org/f", &b); err == nil || !strings.Contains(err.Error(), "not an http or https URL") {
		t.Errorf("Download of ftp: %v", err)
	}
}

// A download that the server cuts short says so, with how much came, not
// only "unexpected EOF".
func TestDownloadCutShort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte(strings.Repeat("x", 400)))
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	var b bytes.Buffer
	err := Download(context.Background(), srv.URL+"/f", &b)
	if err == nil || !strings.Contains(err.Error(), "broke off after 400 of 1000 bytes") {
		t.Errorf("Download cut short: %v", err)
	}
}
