package prompt

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"maps"
	"path/filepath"
	"slices"

	"github.com/noxenv/noxenv/internal/plainfile"
)

// Switch is what a shell at a working directory should become.
type Switch struct {
	// Env is the environment the shell should have, StateVar included
	// when there is something to remember.
	Env map[string]string
	// State is what Env's StateVar holds; File is "" outside any project,
	// where Watches are only the files every shell watches.
	State State
	// Evaluated says the .noxprofile was evaluated (or found blocked)
	// now, rather than kept as loaded.
	Evaluated bool
	// Err is why the project's environment is not applied (a
	// *BlockedError, an evaluation error), reported once per change: nil
	// when it was already reported for the same file, content and error.
	Err error
}

// Evaluation evaluates the project file file from the starting
// environment base. It returns the environment that results and the files
// to watch as the evaluation saw them; watched is nil when nothing was
// read (the evaluation could not start).
type Evaluation func(file string, base map[string]string) (env map[string]string, watched []Watch, err error)

// Next decides what a shell with environment env, in directory dir,
// should become. watch are files every shell watches besides a project's
// own (the reload file). An unchanged project is kept without evaluating
// it: same file found, no watched file changed, appeared or vanished
// since the evaluation read it. evaluate is called only when a project
// file is to be evaluated, and its error is a failed evaluation;
// loadEnvrc is Find's.
func Next(evaluate Evaluation, loadEnvrc func() (bool, error), env map[string]string, dir string, watch []string) Switch {
	old, hasOld := LoadState(env)
	file, findErr := Find(dir, loadEnvrc)
	if findErr != nil {
		file = ""
	}
	if hasOld && old.File == file && file != "" && Fresh(old) {
		return Switch{Env: env, State: old}
	}
	base := Revert(env)
	// Observed before any evaluation: a reload while it runs is a change.
	var also []Watch
	for _, p := range watch {
		also = append(also, Observe(p))
	}
	if file == "" {
		return Switch{Env: base, State: State{Watches: also}, Err: findErr}
	}
	s := State{File: file}
	res, watched, err := evaluate(file, base)
	s.Watches = watched
	if watched == nil {
		// Nothing was read: what the files are now is what to watch.
		s.Watches = []Watch{Observe(file), Observe(LockPath(file))}
	}
	for _, w := range also {
		if !slices.ContainsFunc(s.Watches, func(x Watch) bool { return x.Path == w.Path }) {
			s.Watches = append(s.Watches, w)
		}
	}
	if err != nil {
		s.Status = Failed
		var blocked *BlockedError
		if errors.As(err, &blocked) {
			s.Status = Blocked
		}
		s.errSum = errSum(file, err)
		sw := Switch{Env: Record(base, base, s), State: s, Evaluated: true, Err: err}
		if hasOld && old.File == file && old.Status == s.Status && old.errSum == s.errSum {
			sw.Err = nil // already reported
		}
		return sw
	}
	s.Status = Loaded
	to := maps.Clone(res)
	to[DirVar] = filepath.Dir(file)
	return Switch{Env: Record(base, to, s), State: s, Evaluated: true}
}

// Fresh reports whether no file s watches changed, appeared or vanished
// since the evaluation read it.
func Fresh(s State) bool {
	for _, w := range s.Watches {
		if w.Changed() {
			return false
		}
	}
	return true
}

// errSum identifies a failure (the error and the file's content) so that
// it is reported once, however often the file is evaluated again.
func errSum(file string, err error) uint64 {
	h := sha256.New()
	h.Write([]byte(err.Error()))
	if content, rerr := plainfile.ReadFile(file); rerr == nil {
		h.Write(content)
	}
	return binary.LittleEndian.Uint64(h.Sum(nil))
}
