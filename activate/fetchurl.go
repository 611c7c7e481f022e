package activate

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mvdan.cc/sh/v3/interp"
)

// Download writes what url holds to w: noxenv-oci's HTTP client, which
// noxenv hands the network over to. It returns an error for anything but
// the content (a status other than 200, a broken connection).
type Download func(ctx context.Context, url string, w io.Writer) error

// fetchDir is where fetchurl keeps what it fetched, under the cache
// directory: ALGO/HEX, named by the content's hash.
const fetchDir = "fetchurl"

// Integrity is a subresource integrity hash (W3C SRI) of one of the
// algorithms SRI names: ALGO-BASE64, as sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=.
type Integrity struct {
	Algo string
	Sum  []byte
}

var integrityAlgos = map[string]func() hash.Hash{
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

// ParseIntegrity reads an SRI hash: ALGO-BASE64, ALGO one of sha256,
// sha384 and sha512, BASE64 the digest in standard base64 with its padding.
func ParseIntegrity(s string) (Integrity, error) {
	algo, b64, ok := strings.Cut(s, "-")
	newHash := integrityAlgos[algo]
	if !ok || newHash == nil {
		return Integrity{}, fmt.Errorf("integrity %q: want sha256-BASE64 (or sha384-, sha512-)", s)
	}
	// The decoder skips newlines: only the canonical form is taken.
	sum, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || len(sum) != newHash().Size() || base64.StdEncoding.EncodeToString(sum) != b64 {
		return Integrity{}, fmt.Errorf("integrity %q: not a %s digest in base64", s, algo)
	}
	return Integrity{Algo: algo, Sum: sum}, nil
}

func (i Integrity) String() string {
	return i.Algo + "-" + base64.StdEncoding.EncodeToString(i.Sum)
}

// path is where the content of integrity i lies in the cache dir.
func (i Integrity) path(dir string) string {
	return filepath.Join(dir, fetchDir, i.Algo, hex.EncodeToString(i.Sum))
}

// IntegrityMismatchError is fetched content whose hash is not the one
// asked for: nothing of it is kept.
type IntegrityMismatchError struct {
	URL       string
	Want, Got Integrity
}

func (e *IntegrityMismatchError) Error() string {
	return fmt.Sprintf("fetchurl %s: integrity mismatch: want %s, got %s", e.URL, e.Want, e.Got)
}

// Hint says what a changed URL means.
func (e *IntegrityMismatchError) Hint() string {
	return "the URL serves other content than the integrity names: check the content, then give its hash"
}

// FetchURL returns the path, in cacheDir's content-addressed store, of the
// content of url that has the integrity want. What is there already is
// not fetched again. Fetched content is written aside and moved into
// place only once its hash is the one wanted, read-only and executable
// (so a static binary can be fetched and run), and never visible
// otherwise, whatever interrupts it.
func FetchURL(ctx context.Context, cacheDir string, download Download, url string, want Integrity) (string, error) {
	path := want.path(cacheDir)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		return path, nil
	}
	got, tmp, err := fetchAside(ctx, cacheDir, download, url, want.Algo)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	if got.String() != want.String() {
		return "", &IntegrityMismatchError{URL: url, Want: want, Got: got}
	}
	return path, commitFetched(tmp, path)
}

// FetchURLIntegrity fetches url, keeps it in cacheDir's content-addressed
// store as FetchURL does, and returns its sha256 integrity, which a later
// FetchURL of the same content takes.
func FetchURLIntegrity(ctx context.Context, cacheDir string, download Download, url string) (Integrity, error) {
	got, tmp, err := fetchAside(ctx, cacheDir, download, url, "sha256")
	if err != nil {
		return Integrity{}, err
	}
	defer os.Remove(tmp)
	return got, commitFetched(tmp, got.path(cacheDir))
}

// fetchAside downloads url into a new temporary file of cacheDir's fetch
// directory, hashing it with algo as it comes, and returns its integrity
// and the file's path. Temporary files that an interrupted fetch left
// there more than a day ago are removed.
func fetchAside(ctx context.Context, cacheDir string, download Download, url, algo string) (Integrity, string, error) {
	if download == nil {
		return Integrity{}, "", fmt.Errorf("fetchurl %s: fetching is not available here", url)
	}
	if cacheDir == "" {
		return Integrity{}, "", fmt.Errorf("fetchurl %s: no cache directory", url)
	}
	tmpDir := filepath.Join(cacheDir, fetchDir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return Integrity{}, "", fmt.Errorf("fetchurl: %w", err)
	}
	removeStale(tmpDir, 24*time.Hour)
	f, err := os.CreateTemp(tmpDir, "fetch-")
	if err != nil {
		return Integrity{}, "", fmt.Errorf("fetchurl: %w", err)
	}
	h := integrityAlgos[algo]()
	err = download(ctx, url, io.MultiWriter(f, h))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return Integrity{}, "", fmt.Errorf("fetchurl %s: %w", url, err)
	}
	return Integrity{Algo: algo, Sum: h.Sum(nil)}, f.Name(), nil
}

// commitFetched makes the verified file tmp read-only and executable for
// its owner, as direnv does, and renames it to path.
func commitFetched(tmp, path string) error {
	if err := os.Chmod(tmp, 0o500); err != nil {
		return fmt.Errorf("fetchurl: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("fetchurl: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("fetchurl: %w", err)
	}
	return nil
}

// removeStale removes the files of dir older than age.
func removeStale(dir string, age time.Duration) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, de := range des {
		if fi, err := de.Info(); err == nil && time.Since(fi.ModTime()) > age {
			os.Remove(filepath.Join(dir, de.Name()))
		}
	}
}

// fetchurl is direnv's fetchurl URL [INTEGRITY]: the path of the content
// of URL, fetched into the cache directory and verified, on stdout; without
// INTEGRITY, the content's integrity, to be given next time.
func (e *evaluator) fetchurl(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return errors.New("usage: fetchurl URL [INTEGRITY]")
	}
	if len(args) == 1 {
		// What the URL serves may change: not cached.
		e.deps.taint()
		i, err := FetchURLIntegrity(ctx, e.cfg.CacheDir, e.cfg.Download, args[0])
		if err != nil {
			return err
		}
		if !e.cfg.Quiet {
			fmt.Fprintf(hc.Stderr, "noxenv: fetchurl %s: pass its integrity %s to get its path\n", args[0], i)
		}
		_, err = fmt.Fprintln(hc.Stdout, i)
		return err
	}
	want, err := ParseIntegrity(args[1])
	if err != nil {
		return fmt.Errorf("fetchurl: %w", err)
	}
	p, err := FetchURL(ctx, e.cfg.CacheDir, e.cfg.Download, args[0], want)
	if err != nil {
		return err
	}
	e.deps.add(p)
	_, err = fmt.Fprintln(hc.Stdout, p)
	return err
}
