//go:build !front

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakLog collects the failures of the soak's loops.
type soakLog struct {
	mu       sync.Mutex
	failures []string
	n        atomic.Int64
}

func (l *soakLog) fail(format string, args ...any) {
	l.n.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 20 {
		l.failures = append(l.failures, fmt.Sprintf(format, args...))
	}
}

// soakProjects are the projects of the soak: each uses the package cmdX,
// which prints a file of its own and one of its dependency libX, both
// read through the project's generation.
var soakProjects = []string{"a", "b", "c"}

func soakPackages(w *world) {
	for _, p := range soakProjects {
		lib := filepath.Join("src", "lib"+p+"-1.0")
		w.file(filepath.Join(lib, "share", "lib"+p, "data"), "lib-"+p+"\n", 0o644)
		w.must("store", "add", lib)
		cmd := filepath.Join("src", "cmd"+p+"-1.0")
		w.file(filepath.Join(cmd, "share", "cmd"+p, "data"), "data-"+p+"\n", 0o644)
		w.file(filepath.Join(cmd, "bin", "cmd"+p),
			"#!/bin/sh\nd=$NOXENV_PROFILE/share\ncat \"$d/cmd"+p+"/data\" \"$d/lib"+p+"/data\"\n", 0o755)
		w.must("store", "add", "--dep", "lib"+p, cmd)
		w.project(p, "cmd"+p)
		w.must("exec", p, "--", "cmd"+p)
	}
}

// soakWant is what cmdX prints.
func soakWant(p string) string { return "data-" + p + "\nlib-" + p }

// TestGCSoak runs, for about a minute and in parallel: gc in a loop (every
// other run deleting old profile generations), cd between projects in an
// interactive bash with the hook, noxenv exec in every project, store add
// and profile add of new packages, and a checker of every file of the
// projects' generations. Nothing may fail and no file may be missing.
func TestGCSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a minute")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		if os.Getenv("NOXENV_REQUIRE_SHELLS") == "1" {
			t.Fatal("bash is required (NOXENV_REQUIRE_SHELLS=1)")
		}
		t.Skip("needs bash")
	}
	t.Parallel()
	dur := time.Minute
	if s, err := strconv.Atoi(os.Getenv("NOXENV_SOAK_SECONDS")); err == nil {
		dur = time.Duration(s) * time.Second
	}
	w := newWorld(t, t.TempDir())
	soakPackages(w)
	w.file(filepath.Join("home", ".bashrc"), "eval \"$(noxenv hook bash)\"\n", 0o644)

	log := &soakLog{}
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	var counts [5]atomic.Int64
	loop := func(i int, body func(n int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; time.Now().Before(deadline); n++ {
				body(n)
				counts[i].Add(1)
			}
		}()
	}
	loop(0, func(n int) {
		args := []string{"gc"}
		if n%2 == 1 {
			args = append(args, "--keep", "3")
		}
		if out, err := w.noxenv(nil, args...); err != nil {
			log.fail("noxenv %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	loop(1, func(n int) {
		p := soakProjects[n%len(soakProjects)]
		out, err := w.noxenv(nil, "exec", p, "--", "cmd"+p)
		if err != nil || strings.TrimSpace(out) != soakWant(p) {
			log.fail("noxenv exec %s: %v\n%s", p, err, out)
		}
	})
	// An entry no root keeps alive may go at any gc, as in Nix: a
	// profile add of a package added just before may find it collected.
	// That is counted, not a failure; profile add of packages the projects
	// keep alive must always work.
	var collected atomic.Int64
	loop(2, func(n int) {
		src := filepath.Join("src", fmt.Sprintf("gen%d-1.0", n))
		w.file(filepath.Join(src, "bin", fmt.Sprintf("gen%d", n)), fmt.Sprintf("#!/bin/sh\necho %d\n", n), 0o755)
		p := soakProjects[n%len(soakProjects)]
		for _, args := range [][]string{
			{"store", "add", src},
			{"store", "add", filepath.Join("src", "cmd"+p+"-1.0")},
			{"profile", "add", fmt.Sprintf("gen%d", n)},
			{"profile", "add", "cmd" + p},
			{"profile", "remove", "cmd" + p},
		} {
			out, err := w.noxenv(nil, args...)
			if err != nil && args[1] == "add" && strings.HasPrefix(args[2], "gen") && strings.Contains(out, "no such entry") {
				collected.Add(1)
			} else if err != nil {
				log.fail("noxenv %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
	})
	loop(3, func(int) {
		w.checkGenerations("soak")
		soakCheckProfile(w, log)
		time.Sleep(50 * time.Millisecond)
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		counts[4].Store(int64(soakShell(t, w, deadline, log)))
	}()
	wg.Wait()
	t.Logf("in %v: %d gc, %d exec, %d add rounds (%d new entries collected before profile add), %d checks, %d cd rounds in bash",
		dur, counts[0].Load(), counts[1].Load(), counts[2].Load(), collected.Load(), counts[3].Load(), counts[4].Load())
	if n := log.n.Load(); n > 0 {
		t.Errorf("%d failures; the first:\n%s", n, strings.Join(log.failures, "\n"))
	}
	for i := range counts {
		if n := counts[i].Load(); n < 3 {
			t.Errorf("loop %d ran %d times only", i, n)
		}
	}
	w.checkStore("after the soak")
}

// soakCheckProfile fails unless every file of the default profile's
// current generation resolves, as long as it stays current.
func soakCheckProfile(w *world, log *soakLog) {
	link := filepath.Join(w.dir, "home", ".local", "state", "noxenv", "profiles", "default")
	gen, err := filepath.EvalSymlinks(link)
	if err != nil {
		return // not made yet
	}
	filepath.WalkDir(gen, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type()&os.ModeSymlink != 0 {
			_, err = os.Stat(p)
		}
		if err != nil {
			if now, _ := filepath.EvalSymlinks(link); now == gen {
				log.fail("default profile's current generation: %v", err)
			}
			return filepath.SkipAll
		}
		return nil
	})
}

// soakShell drives an interactive bash with the hook: cd into each project
// and run its command, cd out and check it is gone, until deadline. It
// returns the rounds done.
func soakShell(t *testing.T, w *world, deadline time.Time, log *soakLog) int {
	sh := exec.Command("bash", "-i")
	sh.Dir = w.dir
	sh.Env = append(append([]string{}, w.env...), "PS1=$ ", "TERM=dumb")
	in, err := sh.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sh.Stderr = io.Discard
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	// Each command is a line of its own, so the prompt, and with it the
	// hook, runs between them as when a user types them.
	say := func(cmds ...string) string {
		for _, c := range cmds {
			fmt.Fprintln(in, c)
		}
		if !lines.Scan() {
			return "bash ended"
		}
		return lines.Text()
	}
	rounds := 0
	for ; time.Now().Before(deadline); rounds++ {
		for _, p := range soakProjects {
			dir := filepath.Join(w.dir, p)
			want := strings.ReplaceAll(soakWant(p), "\n", " ")
			got := say("cd "+dir, fmt.Sprintf(`echo "$(cmd%s 2>&1)" | tr '\n' ' '; echo`, p))
			if strings.TrimSpace(got) != want {
				log.fail("bash, in project %s: cmd%s printed %q", p, p, got)
			}
			got = say("cd "+w.dir, fmt.Sprintf(`command -v cmd%s || echo unloaded`, p))
			if got != "unloaded" {
				log.fail("bash, out of project %s: %q", p, got)
			}
		}
	}
	fmt.Fprintln(in, "exit")
	in.Close()
	if err := sh.Wait(); err != nil {
		log.fail("bash: %v", err)
	}
	return rounds
}
