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

func TestSubstitute(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	held, _ := add(t, sp, st, src, AddOptions{})
	const absent = "0123456789abcdfghijklmnpqrsvwxyz-gone-1.0"
	pkgs := []string{"hello", "hello@1", held.ID, "tool", "tool@>=2", absent, "/no/such/path", "other-2.0"}

	f := &recordingFetcher{}
	sp.Fetcher = f
	if _, err := sp.Substitute(context.Background(), pkgs); err != nil {
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

	// A failure names the PKG it concerns by its index among pkgs.
	f = &recordingFetcher{fail: "other-2.0"}
	sp.Fetcher = f
	i, err := sp.Substitute(context.Background(), pkgs)
	if err == nil || i != 7 {
		t.Errorf("failure at %d (%v), want at 7", i, err)
	}

	// Without a fetcher, nothing to do.
	sp.Fetcher = nil
	if i, err := sp.Substitute(context.Background(), pkgs); i != 0 || err != nil {
		t.Errorf("without a fetcher: %d, %v", i, err)
	}
}
