package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/internal/testutil"
)

// checkListing fails unless every directory l records matches the tree at
// root, and says which directories of the tree it records.
func checkListing(t *testing.T, l *Listing, root string) map[string]bool {
	t.Helper()
	listed := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			rel = ""
		}
		got, ok := l.Dir(rel)
		if !ok {
			return nil
		}
		listed[rel] = true
		des, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		var want []Child
		for _, de := range des {
			want = append(want, Child{de.Name(), de.IsDir()})
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("listing of %q: %v, the tree has %v", rel, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(l.dirs) {
		t.Errorf("listing records %d directories, %d of them in the tree", len(l.dirs), len(listed))
	}
	return listed
}

// TestAddWritesListing: an added entry's listing records its directories
// as they are, from a directory or a tarball alike.
func TestAddWritesListing(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	testutil.WriteFiles(t, src, map[string]string{"share/man/man1/hello.1": "man", "lib/hello/x.so": "so", "a.b": "sorted before a/"})
	e, _ := add(t, sp, st, src, AddOptions{})
	l, err := ReadListing(e.Path)
	if err != nil || l == nil {
		t.Fatalf("listing %v, %v", l, err)
	}
	listed := checkListing(t, l, e.Path)
	for _, d := range []string{"", "bin", "lib", "lib/hello", "share", "share/doc", "share/man", "share/man/man1"} {
		if !listed[d] {
			t.Errorf("directory %q not listed", d)
		}
	}
	if _, ok := l.Dir("nonesuch"); ok {
		t.Error("a directory the entry lacks is listed")
	}

	sp2, st2 := testStore(t)
	tarball := filepath.Join(t.TempDir(), "hello-1.0.tar.gz")
	if err := os.WriteFile(tarball, gzipped(makeTar(t, releaseTarball)), 0o644); err != nil {
		t.Fatal(err)
	}
	te, _ := add(t, sp2, st2, tarball, AddOptions{Strip: -1})
	tl, err := ReadListing(te.Path)
	if err != nil || tl == nil {
		t.Fatalf("listing of the tarball's entry %v, %v", tl, err)
	}
	if listed := checkListing(t, tl, te.Path); !listed["bin"] || listed["hello-1.0"] {
		t.Errorf("tarball's listing is not of the stripped tree: %v", listed)
	}
}

// TestListingBounded: a big entry's listing stops at maxListed names,
// shallowest directories first, each listed whole.
func TestListingBounded(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "big-1.0")
	files := map[string]string{"bin/big": "", "lib/libbig.so": ""}
	for i := range maxListed + 100 {
		files[fmt.Sprintf("share/big/d%d/f%d", i%50, i)] = ""
	}
	testutil.WriteFiles(t, src, files)
	e, _ := add(t, sp, st, src, AddOptions{})
	l, err := ReadListing(e.Path)
	if err != nil {
		t.Fatal(err)
	}
	listed := checkListing(t, l, e.Path)
	for _, d := range []string{"", "bin", "lib", "share", "share/big"} {
		if !listed[d] {
			t.Errorf("shallow directory %q not listed", d)
		}
	}
	n, deep := 0, 0
	for rel, block := range l.dirs {
		n += strings.Count(block, "\x00")
		if strings.HasPrefix(rel, "share/big/") {
			deep++
		}
	}
	if n > maxListed || deep == 0 || deep == 50 {
		t.Errorf("listing records %d names (at most %d), %d of the 50 deep directories (some, not all)", n, maxListed, deep)
	}
}

// TestVerifyListing: a listing that no longer matches its tree fails
// verify; an entry without one is fine.
func TestVerifyListing(t *testing.T) {
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	e, _ := add(t, sp, st, src, AddOptions{})
	if err := Verify(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	p := e.Path + ListingSuffix
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	bad := strings.Replace(string(data), "fhello\x00", "fhellx\x00", 1)
	if err := os.WriteFile(p, []byte(bad), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := Verify(context.Background(), e); err == nil || !strings.Contains(err.Error(), "listing") {
		t.Errorf("verify of an altered listing: %v", err)
	}
	// Which directories a listing records is its writer's choice: the
	// root alone is fine, a directory the tree lacks is not.
	l, err := parseListing(string(data))
	if err != nil {
		t.Fatal(err)
	}
	root := l.dirs[""]
	block := func(rel, b string) string { return "/" + rel + "\x00" + fmt.Sprint(len(b)) + "\x00" + b }
	bin := l.dirs["bin"] // fhello, fhi
	for listing, ok := range map[string]bool{
		listingMagic + "\x00" + block("", root):                                     true,
		listingMagic + "\x00" + block("", root) + block("bin", bin):                 true,
		listingMagic + "\x00" + block("", root) + block("opt", "fhello\x00"):        false, // no such directory
		listingMagic + "\x00" + block("", root) + block("bin/hello", "fx\x00"):      false, // a file, not a directory
		listingMagic + "\x00" + block("", root) + block("bin", bin+"fextra\x00"):    false, // a name too many
		listingMagic + "\x00" + block("", root) + block("bin", "fhello\x00"):        false, // a name missing
		listingMagic + "\x00" + block("", root) + block("bin", "dhello\x00fhi\x00"): false, // a file listed as a directory
		listingMagic + "\x00" + block("", strings.Replace(root, "dbin", "fbin", 1)): false, // a directory listed as a file
	} {
		os.Remove(p)
		if err := os.WriteFile(p, []byte(listing), 0o444); err != nil {
			t.Fatal(err)
		}
		if err := Verify(context.Background(), e); (err == nil) != ok {
			t.Errorf("verify of listing %q: %v", listing, err)
		}
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := Verify(context.Background(), e); err != nil {
		t.Errorf("verify of an entry without a listing: %v", err)
	}
	if l, err := ReadListing(e.Path); l != nil || err != nil {
		t.Errorf("missing listing read as %v, %v", l, err)
	}
}

func TestParseListingRejects(t *testing.T) {
	good := listingMagic + "\x00/\x0010\x00dbin\x00fa.b\x00/bin\x007\x00fhello\x00"
	if l, err := parseListing(good); err != nil {
		t.Fatalf("good listing: %v", err)
	} else if cs, _ := l.Dir(""); fmt.Sprint(cs) != "[{bin true} {a.b false}]" {
		t.Errorf("root: %v", cs)
	}
	for _, bad := range []string{
		"",
		"noxdirs 2\x00",
		listingMagic + "\x00/\x0011\x00dbin\x00",          // length beyond the file
		listingMagic + "\x00/\x00x\x00",                   // length not a number
		listingMagic + "\x00/\x00-1\x00",                  // negative length
		listingMagic + "\x00bin\x000\x00",                 // header without "/"
		listingMagic + "\x00/\x000\x00/\x000\x00",         // a directory twice
		listingMagic + "\x00/../etc\x000\x00",             // a directory outside
		listingMagic + "\x00/bin//x\x000\x00",             // an unclean directory
		listingMagic + "\x00/\x000\x00/bin\x00",           // a header without its length
		listingMagic + "\x00/\x002\x00da\x00trailing\x00", // a record outside any block
	} {
		if _, err := parseListing(bad); err == nil {
			t.Errorf("parseListing(%q) accepted", bad)
		}
	}
	// A directory whose names are unusable reads as unrecorded.
	for _, block := range []string{
		"d..\x00",       // a name leaving the directory
		"fa/b",          // a name with "/", unterminated
		"fa/b\x00",      // a name with "/"
		"f\x00",         // an empty name
		"xa\x00",        // an unknown kind
		"fok\x00f.\x00", // "." after a good name
	} {
		l, err := parseListing(listingMagic + "\x00/\x00" + fmt.Sprint(len(block)) + "\x00" + block)
		if err != nil {
			t.Fatalf("block %q: %v", block, err)
		}
		if cs, ok := l.Dir(""); ok {
			t.Errorf("block %q read as %v", block, cs)
		}
	}
}

// FuzzParseListing: whatever a listing file holds, parsing it does not
// panic, and what it accepts names only clean paths inside the entry.
func FuzzParseListing(f *testing.F) {
	f.Add(listingMagic + "\x00/\x0010\x00dbin\x00fa.b\x00/bin\x007\x00fhello\x00")
	f.Add(string(listingOf([]*item{{path: "bin", kind: kindDir}, {path: "bin/x", kind: kindExec}, {path: "lib", kind: kindSymlink}})))
	f.Add(listingMagic + "\x00/\x004\x00d..\x00")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := parseListing(s)
		if err != nil {
			return
		}
		for rel := range l.dirs {
			if rel != "" && !validRel(rel) {
				t.Fatalf("accepted directory %q", rel)
			}
			cs, _ := l.Dir(rel)
			for _, c := range cs {
				if c.Name == "" || c.Name == "." || c.Name == ".." || strings.ContainsAny(c.Name, "/\x00") {
					t.Fatalf("accepted name %q in %q", c.Name, rel)
				}
			}
		}
	})
}
