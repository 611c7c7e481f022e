package profile

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// RootProcess is a running process whose environment names a generation:
// a batch job started by noxenv exec, a command run from a loaded project.
const RootProcess RootKind = "process"

// profileVar names the generation in an environment (see Environ).
const profileVar = "NOXENV_PROFILE="

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
			// It may name a profile link: the generation is its target.
			dir, err := filepath.EvalSymlinks(string(gen))
			if err != nil || filepath.Dir(dir) != gens {
				break
			}
			r.Live = append(r.Live, Root{Kind: RootProcess, Name: "pid " + de.Name(),
				Link: filepath.Join(procDir, de.Name()), Current: true, Generation: dir})
			break
		}
	}
}
