// Command profile_tool prepares and replays the profile realization
// benchmark (bench/profile_realize.sh):
//
//	profile_tool gen DIR N                 make N package trees DIR/pkgNNN-1.0 of 250 files
//	profile_tool realize GENS STORE NAME...  realize the packages NAME... of STORE under GENS
//	profile_tool floor LIST ROOT           create exactly the directories and symlinks of LIST under ROOT
//	profile_tool floor-at LIST ROOT        the same, each relative to its directory (mkdirat, symlinkat)
//
// realize and floor print how long their work took, in microseconds,
// leaving out starting the process, resolving the names and reading LIST.
// LIST holds "d PATH" and "l PATH\tTARGET" lines, parents before children,
// as find -printf writes them: the floor is the least work that makes a
// given tree. floor names each by its whole path; floor-at keeps every
// directory open and names each by its directory and name, as
// profile.Realize does, which spares the kernel walking the path.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

func main() {
	if len(os.Args) < 4 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "gen":
		var n int
		if n, err = strconv.Atoi(os.Args[3]); err == nil {
			err = gen(os.Args[2], n)
		}
	case "realize":
		err = realize(os.Args[2], os.Args[3], os.Args[4:])
	case "floor":
		err = floor(os.Args[2], os.Args[3], false)
	case "floor-at":
		err = floor(os.Args[2], os.Args[3], true)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile_tool:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: profile_tool gen DIR N | realize GENS STORE NAME... | floor LIST ROOT | floor-at LIST ROOT")
	os.Exit(2)
}

// gen makes n trees shaped like installed packages: 238 files in
// directories of their own, 12 in directories all of them share.
func gen(dir string, n int) error {
	for i := range n {
		name := fmt.Sprintf("pkg%03d", i)
		root := filepath.Join(dir, name+"-1.0")
		var files []string
		for j := range 4 {
			files = append(files, fmt.Sprintf("bin/%s-%d", name, j), fmt.Sprintf("share/man/man1/%s-%d.1", name, j))
		}
		files = append(files, "lib/lib"+name+".so", "lib/lib"+name+".a", "lib/pkgconfig/"+name+".pc", "share/info/"+name+".info")
		for j := range 238 {
			switch j % 3 {
			case 0:
				files = append(files, fmt.Sprintf("lib/%s/sub%d/f%d", name, j%7, j))
			case 1:
				files = append(files, fmt.Sprintf("include/%s/f%d.h", name, j))
			default:
				files = append(files, fmt.Sprintf("share/doc/%s/f%d", name, j))
			}
		}
		for _, f := range files {
			p := filepath.Join(root, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(name+" "+f+"\n"), 0o755); err != nil {
				return err
			}
		}
	}
	return nil
}

// realize times profile.Realize of the named packages, as the CLI calls it.
func realize(gens, storeDir string, names []string) error {
	sp, err := store.Open([]string{storeDir}, "")
	if err != nil {
		return err
	}
	release, err := sp.Guard(false)
	if err != nil {
		return err
	}
	defer release()
	var ms []profile.Member
	for _, n := range names {
		e, err := sp.Resolve(store.Request{Name: n})
		if err != nil {
			return err
		}
		ms = append(ms, profile.Member{Name: e.Name, Version: e.Version, Request: n, ID: e.ID, Priority: profile.DefaultPriority, Entry: e})
	}
	start := time.Now()
	if _, err := profile.Realize(sp, gens, ms); err != nil {
		return err
	}
	fmt.Println(time.Since(start).Microseconds())
	return nil
}

func floor(list, root string, at bool) error {
	b, err := os.ReadFile(list)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	start := time.Now()
	if err := os.Mkdir(root, 0o755); err != nil {
		return err
	}
	dirs := map[string]int{}
	if at {
		if dirs["."], err = unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY, 0); err != nil {
			return err
		}
	}
	for _, l := range lines {
		kind, rest, _ := strings.Cut(l, " ")
		path, target, _ := strings.Cut(rest, "\t")
		dir, name := filepath.Split(path)
		fd := dirs[filepath.Clean(dir)]
		switch {
		case kind == "d" && at:
			if err = unix.Mkdirat(fd, name, 0o755); err == nil {
				dirs[path], err = unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY, 0)
			}
		case kind == "d":
			err = os.Mkdir(filepath.Join(root, path), 0o755)
		case kind == "l" && at:
			err = unix.Symlinkat(target, fd, name)
		case kind == "l":
			err = os.Symlink(target, filepath.Join(root, path))
		default:
			err = fmt.Errorf("bad line %q", l)
		}
		if err != nil {
			return err
		}
	}
	fmt.Println(time.Since(start).Microseconds())
	return nil
}
