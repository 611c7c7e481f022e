//go:build !front

package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/noxenv/noxenv/profile"
)

func init() {
	scriptCmds["killadds"] = cmdKillAdds
}

// scriptEnviron is the environment a script's exec would give a command:
// the process's, with the script's own locations where it sets them.
func scriptEnviron(ts *testscript.TestScript) []string {
	env := os.Environ()
	for _, k := range []string{"HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
		"XDG_RUNTIME_DIR", "XDG_DATA_DIRS", "XDG_CONFIG_DIRS", "NOXENV_STORE_PATH", "NOXENV_LOG"} {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// cmdKillAdds kills profile adds at random points and checks, after each,
// that the profile is on its previous generation or on the new, complete
// one:
//
//	killadds N PROFILE PKG
//
// Run i adds PKG with priority 100+i, so that each run realizes a new
// generation. One run is timed first, unkilled; the others are killed
// (SIGKILL) after a random part of that time.
func cmdKillAdds(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: killadds N PROFILE PKG")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	p := &profile.Profile{Path: ts.MkAbs(args[1])}
	add := func(priority int) *exec.Cmd {
		cmd := exec.Command("noxenv", "profile", "add", "-p", p.Path, "--priority", strconv.Itoa(priority), args[2])
		cmd.Env = scriptEnviron(ts)
		cmd.Dir = ts.MkAbs(".")
		return cmd
	}
	start := time.Now()
	if out, err := add(99).CombinedOutput(); err != nil {
		ts.Fatalf("unkilled add: %v\n%s", err, out)
	}
	full := time.Since(start)
	before := 99
	completed := 0
	for i := range n {
		cmd := add(100 + i)
		ts.Check(cmd.Start())
		time.Sleep(time.Duration(rand.Int64N(int64(full))))
		cmd.Process.Kill()
		cmd.Wait()
		after := checkProfile(ts, p, args[2])
		switch after {
		case before:
		case 100 + i:
			completed++
		default:
			ts.Fatalf("run %d: the profile has %s at priority %d, neither the old %d nor the new %d", i, args[2], after, before, 100+i)
		}
		before = after
	}
	ts.Logf("%d of %d killed adds had completed (an add takes %v)", completed, n, full)
}

// checkProfile checks that p and every generation of it are complete and
// returns the priority of member name in the current one.
func checkProfile(ts *testscript.TestScript, p *profile.Profile, name string) int {
	gens, err := p.Generations()
	ts.Check(err)
	priority := -1
	for _, gi := range gens {
		m, err := profile.LoadManifest(gi.Dir)
		if err != nil {
			ts.Fatalf("generation %d: %v", gi.Number, err)
		}
		if a, b := memberKeys(m.Members), memberKeys(gi.Members); a != b {
			ts.Fatalf("generation %d records %s, its tree holds %s", gi.Number, b, a)
		}
		for _, e := range m.Entries {
			if _, err := os.Stat(e.Path); err != nil {
				ts.Fatalf("generation %d: %v", gi.Number, err)
			}
		}
		if gi.Current {
			for _, mem := range gi.Members {
				if mem.Name == name {
					priority = mem.Priority
				}
			}
		}
	}
	cur, err := p.Current()
	ts.Check(err)
	if _, err := profile.Load(cur.Dir); err != nil {
		ts.Fatalf("current generation: %v", err)
	}
	return priority
}

func memberKeys(ms []profile.Member) string {
	s := ""
	for _, m := range ms {
		s += fmt.Sprintf("%s@%d ", m.ID, m.Priority)
	}
	return s
}
