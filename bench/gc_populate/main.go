// Command gc_populate prepares the gc benchmark (bench/gc_bench.sh): a
// managed store of entries written directly (trees, read-only directories,
// .noxdirs listings and .noxinfo metadata, as store add leaves them) and a user profile whose
// one generation keeps the first LIVE entries alive.
//
//	gc_populate STORE STATEDIR TOTAL LIVE [SEED [PLAIN]]
//
// Entry i references up to two entries before it, so the first LIVE
// entries are a closed set; the others are dead, some referencing live
// entries and each other. The dead entries' paths are printed on stdout,
// one a line. SEED (default 0) changes the ids. PLAIN (default 0) plain
// entries NAME-VERSION, without metadata, are added: gc never deletes
// them, as if installed in some other manner.
package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 5 || len(os.Args) > 7 {
		fmt.Fprintln(os.Stderr, "usage: gc_populate STORE STATEDIR TOTAL LIVE [SEED [PLAIN]]")
		os.Exit(2)
	}
	total, err1 := strconv.Atoi(os.Args[3])
	live, err2 := strconv.Atoi(os.Args[4])
	seed, plain := "0", "0"
	if len(os.Args) > 5 {
		seed = os.Args[5]
	}
	if len(os.Args) > 6 {
		plain = os.Args[6]
	}
	nplain, err3 := strconv.Atoi(plain)
	if err1 != nil || err2 != nil || err3 != nil || live > total {
		fmt.Fprintln(os.Stderr, "gc_populate: TOTAL, LIVE and PLAIN are numbers, LIVE <= TOTAL")
		os.Exit(2)
	}
	if err := populate(os.Args[1], os.Args[2], total, live, seed); err != nil {
		fmt.Fprintln(os.Stderr, "gc_populate:", err)
		os.Exit(1)
	}
	if err := populatePlain(os.Args[1], nplain); err != nil {
		fmt.Fprintln(os.Stderr, "gc_populate:", err)
		os.Exit(1)
	}
}

const alphabet = "0123456789abcdfghijklmnpqrsvwxyz"

func entryID(seed string, i int) string {
	sum := sha256.Sum256([]byte(seed + "/" + strconv.Itoa(i)))
	h := make([]byte, 32)
	for j := range h {
		h[j] = alphabet[sum[j]%32]
	}
	return fmt.Sprintf("%s-pkg%d-1.%d", h, i, i%7)
}

// writeTree writes the files of an entry under dir, directories read-only.
func writeTree(dir string, content []byte) error {
	var dirs []string
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, content, 0o444); err != nil {
			return err
		}
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for j := len(dirs) - 1; j >= 0; j-- {
		if err := os.Chmod(dirs[j], 0o555); err != nil {
			return err
		}
	}
	return nil
}

func populatePlain(storeDir string, n int) error {
	content := make([]byte, 700)
	for i := range n {
		if err := writeTree(filepath.Join(storeDir, fmt.Sprintf("plain%d-2.%d", i, i%7)), content); err != nil {
			return err
		}
	}
	return nil
}

type info struct {
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	Hash       string    `json:"hash"`
	Size       int64     `json:"size"`
	Files      int       `json:"files"`
	References []string  `json:"references"`
	Env        []string  `json:"env"`
	Added      time.Time `json:"added"`
}

// listing is the ID.noxdirs store add writes beside an entry of files
// (store/listing.go).
const listing = "noxdirs 1\x00/\x0026\x00dbin\x00dinclude\x00dlib\x00dshare\x00/bin\x0019\x00ftool\x00ftool-config\x00" +
	"/include\x005\x00dpkg\x00/lib\x0024\x00flibpkg.so.1\x00dpkgconfig\x00/share\x0010\x00ddoc\x00dman\x00" +
	"/include/pkg\x0015\x00fpkg.h\x00futil.h\x00/lib/pkgconfig\x008\x00fpkg.pc\x00/share/doc\x005\x00dpkg\x00" +
	"/share/man\x006\x00dman1\x00/share/doc/pkg\x008\x00fREADME\x00/share/man/man1\x008\x00ftool.1\x00"

// files are the files of every entry, shaped like a small library package.
var files = []string{
	"bin/tool", "bin/tool-config", "lib/libpkg.so.1", "lib/pkgconfig/pkg.pc",
	"include/pkg/pkg.h", "include/pkg/util.h", "share/man/man1/tool.1", "share/doc/pkg/README",
}

func populate(storeDir, stateDir string, total, live int, seed string) error {
	if err := os.MkdirAll(storeDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(storeDir, ".noxstore"), []byte(`{"format":1}`+"\n"), 0o644); err != nil {
		return err
	}
	content := make([]byte, 700)
	type mentry struct {
		ID   string `json:"id"`
		Path string `json:"path"`
	}
	var manifest []mentry
	for i := range total {
		id := entryID(seed, i)
		dir := filepath.Join(storeDir, id)
		copy(content, id)
		if err := writeTree(dir, content); err != nil {
			return err
		}
		inf := info{Name: fmt.Sprintf("pkg%d", i), Version: fmt.Sprintf("1.%d", i%7),
			Hash: fmt.Sprintf("sha256:%064x", i), Size: int64(len(files) * len(content)),
			Files: len(files), References: []string{}, Env: []string{}, Added: time.Now().UTC()}
		// References go to earlier entries only: the first LIVE are closed.
		for _, k := range []int{i / 2, i - 1} {
			if k >= 0 && k < i && (k != i-1 || i/2 != i-1) {
				inf.References = append(inf.References, entryID(seed, k))
			}
		}
		b, err := json.Marshal(inf)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dir+".noxdirs", []byte(listing), 0o444); err != nil {
			return err
		}
		if err := os.WriteFile(dir+".noxinfo", b, 0o444); err != nil {
			return err
		}
		if i < live {
			manifest = append(manifest, mentry{id, dir})
		} else {
			fmt.Println(dir)
		}
	}
	// The generation keeping the live entries alive, and a profile on it.
	gen := filepath.Join(stateDir, "generations", "bench"+seed)
	if err := os.MkdirAll(gen, 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{"members": []any{}, "entries": manifest})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(gen, ".noxmanifest.json"), b, 0o644); err != nil {
		return err
	}
	profiles := filepath.Join(stateDir, "profiles")
	if err := os.MkdirAll(profiles, 0o755); err != nil {
		return err
	}
	if err := os.Symlink("../generations/bench"+seed, filepath.Join(profiles, "default-1-link")); err != nil {
		return err
	}
	return os.Symlink("default-1-link", filepath.Join(profiles, "default"))
}
