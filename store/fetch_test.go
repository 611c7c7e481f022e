package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/noxenv/noxenv/internal/testutil"
)

// recordingFetcher records what it is asked to fetch, and fails the
// requests named in fail.
type recordingFetcher struct {
	ids  []string
	reqs []string
	fail string
}

func (f *recordingFetcher) Fetch(_ context.Context, _ *SearchPath, ids []string) error {
	f.ids = append(f.ids, ids...)
	return nil
}

func (f *recordingFetcher) FetchRequests(_ context.Context, _ *SearchPath, reqs []Request) (int, error) {
	for i, r := range reqs {
		f.reqs = append(f.reqs, r.String())
		if r.Name == f.fail {
			return i, errors.New("refused")
		}
	}
	return 0, nil
}

func TestLocateAll(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	held, _ := add(t, sp, st, src, AddOptions{})
	const absent = "0123456789abcdfghijklmnpqrsvwxyz-gone-1.0"
	pkgs := []string{"hello", "hello@1", held.ID, "tool", "tool@>=2", absent, "/no/such/path", "other-2.0"}

	f := &recordingFetcher{}
	sp.Fetcher = f
	found, _, err := sp.LocateAll(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	// What a store holds is not fetched, a path never; a missing id is
	// fetched by id, a missing request (NAME-VERSION too) by name.
	if want := []string{absent}; !slices.Equal(f.ids, want) {
		t.Errorf("fetched ids %q, want %q", f.ids, want)
	}
	if want := []string{"tool", "tool@>=2", "other-2.0"}; !slices.Equal(f.reqs, want) {
		t.Errorf("fetched requests %q, want %q", f.reqs, want)
	}
	// Each PKG gets Locate's answer: what is held, or why not.
	for i, pkg := range pkgs {
		ref, err := sp.Locate(pkg)
		if found[i].Ref != ref || (found[i].Err == nil) != (err == nil) {
			t.Errorf("%s: found %+v, Locate gives %+v, %v", pkg, found[i], ref, err)
		}
	}
	if found[0].Ref.ID != held.ID || found[2].Ref.ID != held.ID || !errors.Is(found[3].Err, ErrNotFound) {
		t.Errorf("found %+v", found)
	}

	// A failure names the PKG it concerns by its index among pkgs.
	f = &recordingFetcher{fail: "other-2.0"}
	sp.Fetcher = f
	_, i, err := sp.LocateAll(context.Background(), pkgs)
	if err == nil || i != 7 {
		t.Errorf("failure at %d (%v), want at 7", i, err)
	}

	// Without a fetcher, nothing is fetched and each PKG is located.
	sp.Fetcher = nil
	if found, i, err := sp.LocateAll(context.Background(), pkgs); i != 0 || err != nil || found[1].Ref.ID != held.ID {
		t.Errorf("without a fetcher: %+v, %d, %v", found, i, err)
	}
}

// addingFetcher adds, for each request it is asked for, the entry src.
type addingFetcher struct {
	t   *testing.T
	st  *Store
	src string
}

func (f *addingFetcher) Fetch(context.Context, *SearchPath, []string) error { return nil }

func (f *addingFetcher) FetchRequests(_ context.Context, sp *SearchPath, reqs []Request) (int, error) {
	add(f.t, sp, f.st, f.src, AddOptions{})
	return 0, nil
}

// What a fetch brings may be the better match of a PKG found before it:
// every PKG is located again after one.
func TestLocateAllAfterFetch(t *testing.T) {
	sp, st := testStore(t)
	one := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, one, helloTree)
	held, _ := add(t, sp, st, one, AddOptions{})
	two := filepath.Join(t.TempDir(), "hello-2.0")
	testutil.WriteFiles(t, two, helloTree)
	sp.Fetcher = &addingFetcher{t: t, st: st, src: two}
	found, _, err := sp.LocateAll(context.Background(), []string{"hello", "hello@>=2"})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range found {
		if f.Err != nil || f.Ref.Version != "2.0" || f.Ref.ID == held.ID {
			t.Errorf("pkg %d: %+v, want hello 2.0 fetched", i, f)
		}
	}
}
