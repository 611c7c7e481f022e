package activate

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sri(algo string, sum []byte) string { return algo + "-" + base64.StdEncoding.EncodeToString(sum) }

func TestParseIntegrity(t *testing.T) {
	content := []byte("hello world\n")
	s256 := sha256.Sum256(content)
	s384 := sha512.Sum384(content)
	s512 := sha512.Sum512(content)
	for _, ok := range []string{
		"sha256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc=", // direnv's for the same content
		sri("sha256", s256[:]), sri("sha384", s384[:]), sri("sha512", s512[:]),
	} {
		i, err := ParseIntegrity(ok)
		if err != nil || i.String() != ok {
			t.Errorf("ParseIntegrity(%q) = %v, %v", ok, i, err)
		}
	}
	for _, bad := range []string{
		"", "sha256", "sha256-", "md5-XrY7u+Ae7tCTyyK7j1rNww==", "SHA256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc=",
		"sha256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc",  // unpadded
		"sha256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A-4XSmaGSpEc=", // URL alphabet
		sri("sha512", s256[:]),                                // a sha256 digest named sha512
		"sha256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc= sha512-x",
		"sha256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc=\n", // base64 skips newlines
		"sha256-qUiQTy8PR5uPgZdpSzAYSw0u0\r\ncHNKh7A+4XSmaGSpEc=",
	} {
		if i, err := ParseIntegrity(bad); err == nil {
			t.Errorf("ParseIntegrity(%q) = %v; want an error", bad, i)
		}
	}
}

func FuzzParseIntegrity(f *testing.F) {
	f.Add("sha256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc=")
	f.Add("sha512-2zl0qX8kB7fK4a5jfAAwaHoRkTJ01XhJJVjjnBbAF96E6s3Ixi/jTuThK0sUKIF/Cbaidgw/imZM6ulNJDSlkw==")
	f.Add("sha384-x")
	f.Add("sha256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc=\n")
	f.Fuzz(func(t *testing.T, s string) {
		i, err := ParseIntegrity(s)
		if err != nil {
			return
		}
		// Only the canonical form is taken, and its path is a file name.
		if i.String() != s {
			t.Errorf("ParseIntegrity(%q) reads as %q", s, i)
		}
		if p := i.path("/c"); filepath.Dir(filepath.Dir(p)) != "/c/fetchurl" {
			t.Errorf("%q lies at %s", s, p)
		}
	})
}

// serve is a Download of content, which checks as it writes that nothing
// is visible at path yet.
func serve(t *testing.T, content string, calls *int, path *string) Download {
	return func(_ context.Context, _ string, w io.Writer) error {
		*calls++
		half := len(content) / 2
		if _, err := io.WriteString(w, content[:half]); err != nil {
			return err
		}
		if _, err := os.Lstat(*path); err == nil {
			t.Errorf("%s is visible before the download ended", *path)
		}
		_, err := io.WriteString(w, content[half:])
		return err
	}
}

// fetched lists what the fetch directory holds, temporary files included.
func fetched(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(filepath.Join(dir, fetchDir), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestFetchURL(t *testing.T) {
	dir := t.TempDir()
	content := "#!/bin/sh\necho fetched\n"
	sum := sha256.Sum256([]byte(content))
	want, err := ParseIntegrity(sri("sha256", sum[:]))
	if err != nil {
		t.Fatal(err)
	}
	calls, path := 0, want.path(dir)
	p, err := FetchURL(context.Background(), dir, serve(t, content, &calls, &path), "http://x/tool", want)
	if err != nil || p != path {
		t.Fatalf("FetchURL = %q, %v; want %s", p, err, path)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != content {
		t.Fatalf("%s holds %q, %v", p, b, err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o500 {
		t.Errorf("%s: mode %v, %v; want read-only and executable", p, fi.Mode(), err)
	}
	if got := fetched(t, dir); len(got) != 1 {
		t.Errorf("the fetch directory holds %q; want the file only", got)
	}
	// Fetched already: no download.
	if p, err := FetchURL(context.Background(), dir, nil, "http://x/tool", want); err != nil || p != path || calls != 1 {
		t.Errorf("again: %q, %v after %d downloads; want %s without a download", p, err, calls, path)
	}
}

// Content of another hash is refused, and nothing of it stays.
func TestFetchURLMismatch(t *testing.T) {
	dir := t.TempDir()
	sum := sha256.Sum256([]byte("expected"))
	want, _ := ParseIntegrity(sri("sha256", sum[:]))
	calls, path := 0, want.path(dir)
	_, err := FetchURL(context.Background(), dir, serve(t, "tampered", &calls, &path), "http://x/f", want)
	var mm *IntegrityMismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "want "+want.String()) || !strings.Contains(err.Error(), "http://x/f") {
		t.Fatalf("FetchURL of other content: %v", err)
	}
	if got := fetched(t, dir); len(got) != 0 {
		t.Errorf("a refused fetch left %q", got)
	}
	// sha512 is checked as sha512.
	s512 := sha512.Sum512([]byte("expected"))
	want, _ = ParseIntegrity(sri("sha512", s512[:]))
	path = want.path(dir)
	if p, err := FetchURL(context.Background(), dir, serve(t, "expected", &calls, &path), "http://x/f", want); err != nil || p != path {
		t.Errorf("sha512: %q, %v", p, err)
	}
}

// A download that fails halfway leaves nothing.
func TestFetchURLInterrupted(t *testing.T) {
	dir := t.TempDir()
	sum := sha256.Sum256([]byte("whole"))
	want, _ := ParseIntegrity(sri("sha256", sum[:]))
	broken := errors.New("connection reset")
	_, err := FetchURL(context.Background(), dir, func(_ context.Context, _ string, w io.Writer) error {
		io.WriteString(w, "who")
		return broken
	}, "http://x/f", want)
	if !errors.Is(err, broken) {
		t.Fatalf("FetchURL: %v; want %v", err, broken)
	}
	if got := fetched(t, dir); len(got) != 0 {
		t.Errorf("an interrupted fetch left %q", got)
	}
}

// Without an integrity, the content's sha256 integrity is returned and
// the content kept, so that FetchURL with it needs no download.
func TestFetchURLIntegrity(t *testing.T) {
	dir := t.TempDir()
	calls, path := 0, ""
	got, err := FetchURLIntegrity(context.Background(), dir, serve(t, "hello world\n", &calls, &path), "http://x/f")
	if err != nil || got.String() != "sha256-qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc=" {
		t.Fatalf("FetchURLIntegrity = %v, %v", got, err)
	}
	if p, err := FetchURL(context.Background(), dir, nil, "http://x/f", got); err != nil || p != got.path(dir) {
		t.Errorf("FetchURL after it: %q, %v", p, err)
	}
}
