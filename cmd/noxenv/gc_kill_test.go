//go:build !front

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/noxenv/noxenv/store"
)

// world is a hermetic home for running the noxenv binary.
type world struct {
	t   *testing.T
	dir string
	env []string
}

func newWorld(t *testing.T, dir string) *world {
	home := filepath.Join(dir, "home")
	w := &world{t: t, dir: dir, env: []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_DATA_DIRS=" + filepath.Join(dir, "sys", "share"),
		"XDG_RUNTIME_DIR=" + filepath.Join(dir, "run"),
		"NOXENV_LOG=quiet",
	}}
	return w
}

// noxenv runs the binary in the world; it fails the test on an error
// unless allowFail.
func (w *world) noxenv(extraEnv []string, args ...string) (string, error) {
	w.t.Helper()
	cmd := exec.Command("noxenv", args...)
	cmd.Dir = w.dir
	cmd.Env = append(append([]string{}, w.env...), extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (w *world) must(args ...string) string {
	w.t.Helper()
	out, err := w.noxenv(nil, args...)
	if err != nil {
		w.t.Fatalf("noxenv %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// file writes a file of the world, executable when mode says so.
func (w *world) file(rel, content string, mode os.FileMode) {
	w.t.Helper()
	p := filepath.Join(w.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		w.t.Fatal(err)
	}
}

// pkg writes a package source tree NAME-VERSION with a command NAME that
// prints its name, and adds it to the store.
func (w *world) pkg(name string, args ...string) {
	w.t.Helper()
	src := filepath.Join("src", name+"-1.0")
	w.file(filepath.Join(src, "bin", name), "#!/bin/sh\necho "+name+"\n", 0o755)
	w.file(filepath.Join(src, "share", "doc", name, "README"), name+"\n", 0o644)
	w.must(append([]string{"store", "add", src}, args...)...)
}

// project writes and allows a project using pkgs.
func (w *world) project(dir string, pkgs ...string) {
	w.t.Helper()
	var b strings.Builder
	for _, p := range pkgs {
		fmt.Fprintf(&b, "use %s\n", p)
	}
	w.file(filepath.Join(dir, ".noxprofile"), b.String(), 0o644)
	w.must("allow", dir)
}

func (w *world) storeDir() string {
	return filepath.Join(w.dir, "home", ".local", "share", "noxenv", "store")
}

// checkStore fails unless every entry of the store is whole (as many
// files as its metadata says) with every reference an entry.
func (w *world) checkStore(when string) {
	w.t.Helper()
	sd := w.storeDir()
	des, err := os.ReadDir(sd)
	if err != nil {
		w.t.Fatal(err)
	}
	infos := map[string]*store.Info{}
	for _, de := range des {
		id, ok := strings.CutSuffix(de.Name(), store.InfoSuffix)
		if !ok {
			continue
		}
		if _, err := os.Stat(filepath.Join(sd, id)); err != nil {
			continue // not an entry: a leftover
		}
		b, err := os.ReadFile(filepath.Join(sd, de.Name()))
		if err != nil {
			w.t.Fatal(err)
		}
		var info store.Info
		if err := json.Unmarshal(b, &info); err != nil {
			w.t.Fatal(err)
		}
		infos[id] = &info
	}
	for id, info := range infos {
		for _, r := range info.References {
			if infos[r] == nil {
				w.t.Errorf("%s: entry %s references %s, which is gone", when, id, r)
			}
		}
		files := 0
		filepath.WalkDir(filepath.Join(sd, id), func(_ string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files++
			}
			return nil
		})
		if files != info.Files {
			w.t.Errorf("%s: entry %s has %d files, its metadata says %d", when, id, files, info.Files)
		}
	}
}

// checkGenerations fails unless every file of every project's current
// generation resolves, and returns how many projects have one.
func (w *world) checkGenerations(when string) int {
	w.t.Helper()
	links, err := filepath.Glob(filepath.Join(w.dir, "home", ".local", "state", "noxenv", "projects", "*", "profile"))
	if err != nil {
		w.t.Fatal(err)
	}
	links = slices.DeleteFunc(links, func(l string) bool {
		return strings.HasPrefix(filepath.Base(filepath.Dir(l)), ".") // being removed
	})
	for _, l := range links {
		gen, err := filepath.EvalSymlinks(l)
		if err != nil {
			w.t.Errorf("%s: project profile %s: %v", when, l, err)
			continue
		}
		filepath.WalkDir(gen, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				w.t.Errorf("%s: generation %s: %v", when, gen, err)
				return nil
			}
			if d.Type()&os.ModeSymlink != 0 {
				if _, err := os.Stat(p); err != nil {
					w.t.Errorf("%s: generation %s: %v", when, gen, err)
				}
			}
			return nil
		})
	}
	return len(links)
}

// checkProjects fails unless each project runs its package's command.
func (w *world) checkProjects(when string, projects map[string]string) {
	w.t.Helper()
	for dir, cmd := range projects {
		out, err := w.noxenv(nil, "exec", dir, "--", cmd)
		if err != nil || strings.TrimSpace(out) != cmd {
			w.t.Errorf("%s: project %s: %v\n%s", when, dir, err, out)
		}
	}
}

// TestGCKilledAnywhere kills gc (SIGKILL, through its test hook) before
// each of its changes on disk in turn. Every time, every remaining entry is
// whole with its closure and every live project works; a gc run afterwards
// finishes the work.
func TestGCKilledAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gc some hundred times")
	}
	t.Parallel()
	top := t.TempDir()
	live := filepath.Join(top, "w")
	tmpl := filepath.Join(top, "template")
	w := newWorld(t, live)
	w.pkg("lib")
	w.pkg("tool", "--dep", "lib")
	w.pkg("other", "--dep", "lib")
	w.pkg("base")
	w.pkg("mid", "--dep", "base")
	w.pkg("top", "--dep", "mid", "--dep", "lib")
	w.project("a", "tool")
	w.project("b", "other")
	w.project("gone", "top")
	projects := map[string]string{"a": "tool", "b": "other"}
	w.checkProjects("setup", projects)
	w.must("exec", "gone", "--", "top")
	if err := os.Remove(filepath.Join(live, "gone", ".noxprofile")); err != nil {
		t.Fatal(err)
	}
	w.pkg("junk", "--dep", "top")
	if err := os.Rename(live, tmpl); err != nil {
		t.Fatal(err)
	}

	for n := 0; ; n++ {
		if err := os.RemoveAll(live); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("cp", "-a", tmpl, live).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v\n%s", err, out)
		}
		out, err := w.noxenv([]string{gcKillAfter + "=" + fmt.Sprint(n)}, "gc")
		when := fmt.Sprintf("gc killed before change %d", n)
		w.checkStore(when)
		if live := w.checkGenerations(when); live < len(projects) {
			t.Errorf("%s: %d projects have a generation, want at least %d", when, live, len(projects))
		}
		if n%5 == 0 {
			w.checkProjects(when, projects)
		}
		if err == nil {
			if n < 20 {
				t.Fatalf("gc finished after %d changes:\n%s", n, out)
			}
			t.Logf("gc killed at each of its %d changes", n)
			break
		}
		if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("%s: %v\n%s", when, err, out)
		}
		out = w.must("gc")
		if !strings.Contains(out, "; 3 entries kept") {
			t.Errorf("%s, then gc: %s", when, out)
		}
		w.checkStore(when + ", then gc")
		w.checkGenerations(when + ", then gc")
		if t.Failed() {
			break
		}
	}
}
