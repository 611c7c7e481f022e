package store

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/internal/testutil"
)

// tarOf returns a tar of the tree at dir as a cache sends it.
func tarOf(t testing.TB, dir string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			if hdr.Linkname, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Close()
	return b.Bytes()
}

// incomingHello adds helloTree to a store of its own and returns what a
// cache would send of it.
func incomingHello(t testing.TB) (Incoming, []byte) {
	t.Helper()
	sp, st := testStore(t)
	src := filepath.Join(t.TempDir(), "hello-1.0")
	testutil.WriteFiles(t, src, helloTree)
	e, _ := add(t, sp, st, src, AddOptions{Strip: -1})
	info := *e.Info
	return Incoming{ID: e.ID, Info: &info}, tarOf(t, e.Path)
}

func TestReceive(t *testing.T) {
	in, data := incomingHello(t)
	sp, st := testStore(t)
	e, existed, err := sp.Receive(context.Background(), st, in, bytes.NewReader(data))
	if err != nil || existed {
		t.Fatalf("Receive: %v, existed %v", err, existed)
	}
	if e.ID != in.ID || e.Info.Hash != in.Info.Hash || e.Info.Size != in.Info.Size || e.Info.Files != in.Info.Files {
		t.Fatalf("received %+v, sent %+v", e.Info, in.Info)
	}
	if err := Verify(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if _, existed, err = sp.Receive(context.Background(), st, in, bytes.NewReader(data)); err != nil || !existed {
		t.Fatalf("second Receive: %v, existed %v", err, existed)
	}
}

// An incoming tree that does not give the id asked for is refused, and
// nothing of it stays.
func TestReceiveMismatch(t *testing.T) {
	in, data := incomingHello(t)
	cases := map[string]func(in *Incoming, data []byte) []byte{
		"altered content": func(_ *Incoming, data []byte) []byte {
			return bytes.Replace(data, []byte("readme"), []byte("README"), 1)
		},
		"another version": func(in *Incoming, data []byte) []byte {
			info := *in.Info
			info.Version = "1.1"
			in.Info = &info
			return data
		},
		"another env": func(in *Incoming, data []byte) []byte {
			info := *in.Info
			info.Env = []EnvSetting{{Var: "X", Op: EnvSet, Value: "1"}}
			in.Info = &info
			return data
		},
		"unknown reference": func(in *Incoming, data []byte) []byte {
			info := *in.Info
			info.References = []string{"0123456789abcdfghijklmnpqrsvwxyz-dep-1.0"}
			in.Info = &info
			return data
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			in := in
			d := change(&in, bytes.Clone(data))
			sp, st := testStore(t)
			_, _, err := sp.Receive(context.Background(), st, in, bytes.NewReader(d))
			var re *ReceiveError
			if !errors.As(err, &re) || re.ID != in.ID {
				t.Fatalf("Receive: %v, want a ReceiveError for %s", err, in.ID)
			}
			assertClean(t, st)
		})
	}
}

// Members that would land outside the tree, or that an entry cannot hold,
// are refused as store add refuses them: nothing is written outside, and
// nothing stays in the store.
func TestReceiveRefused(t *testing.T) {
	reg := func(name, body string) member { return member{name: name, body: body, typ: tar.TypeReg} }
	cases := map[string][]member{
		"dot-dot":               {reg("../evil", "x")},
		"dot-dot inside":        {{name: "bin/", typ: tar.TypeDir}, reg("bin/../../evil", "x")},
		"absolute":              {reg("/tmp/evil", "x")},
		"symlink then through":  {{name: "escape", typ: tar.TypeSymlink, link: "../../outside"}, reg("escape/evil", "x")},
		"symlink to absolute":   {{name: "escape", typ: tar.TypeSymlink, link: "/"}, reg("escape/evil", "x")},
		"device":                {{name: "dev/null", typ: tar.TypeChar}},
		"named pipe":            {{name: "fifo", typ: tar.TypeFifo}},
		"hard link out":         {{name: "link", typ: tar.TypeLink, link: "../outside/sentinel"}},
		"more than its size":    {reg("a", "0123456789"), reg("b", "0123456789")},
		"directory, then file":  {{name: "x/", typ: tar.TypeDir}, reg("x", "1")},
		"garbage after members": {reg("a", "1")},
	}
	for name, members := range cases {
		t.Run(name, func(t *testing.T) {
			sp, st := testStore(t)
			outside := filepath.Join(filepath.Dir(st.Dir), "outside")
			testutil.WriteFiles(t, outside, map[string]string{"sentinel": "keep\n"})
			data := makeTar(t, members)
			if name == "garbage after members" {
				data = append(data[:len(data)-1024], bytes.Repeat([]byte{'z'}, 4096)...)
			}
			info := &Info{Name: "evil", Version: "1.0", Size: 12, References: []string{}}
			in := Incoming{ID: "0123456789abcdfghijklmnpqrsvwxyz-evil-1.0", Info: info}
			_, _, err := sp.Receive(context.Background(), st, in, bytes.NewReader(data))
			var te *TarballError
			var re *ReceiveError
			if !errors.As(err, &te) && !errors.As(err, &re) {
				t.Fatalf("Receive: %v, want a refusal", err)
			}
			assertClean(t, st)
			des, _ := os.ReadDir(outside)
			got, _ := os.ReadFile(filepath.Join(outside, "sentinel"))
			if len(des) != 1 || string(got) != "keep\n" {
				t.Fatalf("outside changed: %d items, sentinel %q", len(des), got)
			}
			for _, p := range []string{filepath.Join(filepath.Dir(st.Dir), "evil"), "/tmp/evil"} {
				if _, err := os.Lstat(p); err == nil {
					t.Fatalf("%s was written", p)
				}
			}
		})
	}
}

// counting counts what is read through it.
type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A layer that unpacks to far more than the entry's recorded size (a
// decompression bomb: 1 GiB of zeros for an entry of 1 MiB) is cut off:
// no more than a small multiple of the recorded size is ever read, and
// so written.
func TestReceiveBomb(t *testing.T) {
	const declared = 1 << 20
	cases := map[string]func(tw *tar.Writer) error{
		"one large file": func(tw *tar.Writer) error {
			if err := tw.WriteHeader(&tar.Header{Name: "zeros", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1 << 30}); err != nil {
				return err
			}
			_, err := io.CopyN(tw, zeros{}, 1<<30)
			return err
		},
		"many files": func(tw *tar.Writer) error {
			for i := range 2048 {
				if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("z%04d", i), Typeflag: tar.TypeReg, Mode: 0o644, Size: 512 << 10}); err != nil {
					return err
				}
				if _, err := io.CopyN(tw, zeros{}, 512<<10); err != nil {
					return err
				}
			}
			return nil
		},
	}
	for name, write := range cases {
		t.Run(name, func(t *testing.T) {
			pr, pw := io.Pipe()
			go func() {
				tw := tar.NewWriter(pw)
				err := write(tw)
				if err == nil {
					err = tw.Close()
				}
				pw.CloseWithError(err)
			}()
			defer pr.Close()
			sp, st := testStore(t)
			info := &Info{Name: "bomb", Version: "1.0", Size: declared, References: []string{}}
			in := Incoming{ID: "0123456789abcdfghijklmnpqrsvwxyz-bomb-1.0", Info: info}
			c := &counting{r: pr}
			_, _, err := sp.Receive(context.Background(), st, in, c)
			var te *TarballError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), "recorded size") {
				t.Fatalf("Receive: %v, want a refusal for the size", err)
			}
			if c.n > 3*declared {
				t.Fatalf("read %d bytes of the layer for an entry of %d", c.n, declared)
			}
			assertClean(t, st)
		})
	}
}

// The helper process of TestReceiveKilled: it receives the tar
// NOXENV_TEST_RECEIVE_TAR as NOXENV_TEST_RECEIVE_ID into the store
// NOXENV_TEST_RECEIVE_STORE, killing itself at NOXENV_TEST_KILL_AT.
func TestReceiveKilledHelper(t *testing.T) {
	tarPath, dir := os.Getenv("NOXENV_TEST_RECEIVE_TAR"), os.Getenv("NOXENV_TEST_RECEIVE_STORE")
	if tarPath == "" {
		t.Skip("helper process only")
	}
	killAt(os.Getenv("NOXENV_TEST_KILL_AT"))
	sp, err := Open([]string{dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	info, err := readInfo(os.Getenv("NOXENV_TEST_RECEIVE_INFO"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sp.Receive(context.Background(), sp.Stores[0], Incoming{ID: os.Getenv("NOXENV_TEST_RECEIVE_ID"), Info: info}, f); err != nil {
		t.Fatal(err)
	}
}

// A receive killed at each of its steps, after unpacking and before the
// id is verified among them, leaves no visible entry; the next one
// completes it.
func TestReceiveKilled(t *testing.T) {
	in, data := incomingHello(t)
	tmp := t.TempDir()
	tarPath, infoPath := filepath.Join(tmp, "layer.tar"), filepath.Join(tmp, "info.json")
	if err := os.WriteFile(tarPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	infoJSON, _ := json.Marshal(in.Info)
	if err := os.WriteFile(infoPath, infoJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"unpacked", "verified", "renamed", "listed", ""} {
		sp, st := testStore(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestReceiveKilledHelper$")
		cmd.Env = append(os.Environ(), "NOXENV_TEST_RECEIVE_TAR="+tarPath, "NOXENV_TEST_RECEIVE_STORE="+st.Dir,
			"NOXENV_TEST_RECEIVE_ID="+in.ID, "NOXENV_TEST_RECEIVE_INFO="+infoPath, "NOXENV_TEST_KILL_AT="+step)
		err := cmd.Run()
		es, lerr := st.List()
		if lerr != nil {
			t.Fatalf("killed at %q: store broken: %v", step, lerr)
		}
		if step != "" && (err == nil || len(es) != 0) {
			t.Fatalf("killed at %q (%v): %d entries visible", step, err, len(es))
		}
		if _, _, err := sp.Receive(context.Background(), st, in, bytes.NewReader(data)); err != nil {
			t.Fatalf("after a kill at %q: %v", step, err)
		}
		e, err := sp.Get(in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(context.Background(), e); err != nil {
			t.Fatalf("after a kill at %q: %v", step, err)
		}
	}
}

// cancelling reads r until n bytes, then cancels the receive's context
// and fails as a request of that context does.
type cancelling struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
	ctx    context.Context
}

func (c *cancelling) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
		return 0, c.ctx.Err()
	}
	if len(p) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

// A receive interrupted in the middle of the stream (Ctrl-C during a
// pull, whose transfer fails with the context) says it was cancelled:
// it does not blame the layer as a corrupt tarball. Nothing stays.
func TestReceiveCancelled(t *testing.T) {
	in, data := incomingHello(t)
	for _, at := range []int{100, 700, len(data) / 2, len(data) - 1100} {
		sp, st := testStore(t)
		ctx, cancel := context.WithCancel(context.Background())
		_, _, err := sp.Receive(ctx, st, in, &cancelling{r: bytes.NewReader(data), n: at, cancel: cancel, ctx: ctx})
		var te *TarballError
		if !errors.Is(err, context.Canceled) || errors.As(err, &te) {
			t.Errorf("cancelled after %d bytes: %v, want the cancellation alone", at, err)
		}
		if ids, _ := st.IDs(); len(ids) != 0 {
			t.Errorf("cancelled after %d bytes: the store holds %v", at, ids)
		}
	}
}
