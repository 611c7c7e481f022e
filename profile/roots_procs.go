package profile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/noxenv/noxenv/internal/shellroot"
)

// RootProcess is a running process whose environment names a generation:
// a batch job started by noxenv exec, a command run from a loaded project.
const RootProcess RootKind = "process"

// profileVar names the generation in an environment (see Environ).
const profileVar = "NOXENV_PROFILE="

// RootShell is a shell whose hook loaded a generation, while it runs
// (see package shellroot).
const RootShell RootKind = "shell"

// generationIn returns the generation tree of gens, the generations
// directory with its links resolved, that gen names: a generation or a
// profile link to one. gen may name anything: a process's environment or
// a shell's record says it.
func generationIn(gens, gen string) (string, bool) {
	dir, err := filepath.EvalSymlinks(gen)
	return dir, err == nil && filepath.Dir(dir) == gens
}

// addShells adds the generation each running shell has loaded, as its
// record says; the records of shells that ended are dangling.
func (r *Roots) addShells(pl Places) error {
	if pl.ProcDir == "" {
		return nil
	}
	dir := shellroot.Dir(pl.StateDir)
	des, err := readDir(dir)
	if err != nil {
		return fmt.Errorf("shells %s: %w", dir, err)
	}
	gens, _ := filepath.EvalSymlinks(pl.generationsDir())
	for _, de := range des {
		name, p := de.Name(), filepath.Join(dir, de.Name())
		live := shellroot.Live(pl.ProcDir, strings.TrimPrefix(name, shellroot.TmpPrefix))
		switch {
		case live && strings.HasPrefix(name, shellroot.TmpPrefix):
			// A record being written.
		case live:
			target, err := os.Readlink(p)
			if gen, ok := generationIn(gens, target); err == nil && ok {
				r.Live = append(r.Live, Root{Kind: RootShell, Name: shellName(name), Link: p, Current: true, Generation: gen})
			}
		default:
			r.Dangling = append(r.Dangling, Dangling{Kind: RootShell, Name: name, Path: p})
		}
	}
	return nil
}

// shellName is how gc and store survey name the shell of the record name.
func shellName(name string) string {
	if host := shellroot.OtherHost(name); host != "" {
		return "pid " + shellroot.PID(name) + " on " + host
	}
	return "pid " + shellroot.PID(name)
}

// addProcesses adds the generation of pl's state directory that each
// process of pl.ProcDir (/proc) names in its environment, as far as it may
// read it (the user's own processes), so that gc never deletes a
// generation a running job uses, even one its project no longer does.
func (r *Roots) addProcesses(pl Places) {
	if pl.ProcDir == "" {
		return
	}
	gens, err := filepath.EvalSymlinks(pl.generationsDir())
	if err != nil {
		return // no generations yet
	}
	procDir := pl.ProcDir
	des, _ := os.ReadDir(procDir)
	for _, de := range des {
		if _, err := strconv.Atoi(de.Name()); err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join(procDir, de.Name(), "environ"))
		if err != nil {
			continue // ended, or another user's
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			gen, ok := bytes.CutPrefix(kv, []byte(profileVar))
			if !ok || len(gen) == 0 {
				continue
			}
			dir, ok := generationIn(gens, string(gen))
			if !ok {
				break
			}
			r.Live = append(r.Live, Root{Kind: RootProcess, Name: "pid " + de.Name(),
				Link: filepath.Join(procDir, de.Name()), Current: true, Generation: dir})
			break
		}
	}
}
