package activate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"time"
)

// Switch is what a shell at a working directory should become.
type Switch struct {
	// Env is the environment the shell should have, StateVar included
	// when there is something to remember.
	Env map[string]string
	// State is what Env's StateVar holds; File is "" outside any project.
	State State
	// Evaluated says the .noxprofile was evaluated (or found blocked)
	// now, rather than kept as loaded.
	Evaluated bool
	// Err is why the project's environment is not applied (a
	// *BlockedError, an evaluation error), reported once per change: nil
	// when it was already reported for the same file, content and error.
	Err error
}

// Next decides what a shell with environment env, in directory dir,
// should become. stamp is a time no later than the moment Next starts
// reading files (see hook.StampTime); watch are files every shell watches
// besides a project's own (the reload file). An unchanged project is kept
// without evaluating it: same file found, no watched file changed,
// appeared or vanished since the state's stamp. config is called only when
// a .noxprofile is to be evaluated (opening the stores costs), and its
// error is a failed evaluation.
func Next(ctx context.Context, config func() (Config, error), env map[string]string, dir string, stamp time.Time, watch []string) Switch {
	old, hasOld := LoadState(env)
	file, findErr := Find(dir)
	if findErr != nil {
		file = ""
	}
	if hasOld && old.File == file && file != "" && Fresh(old) {
		return Switch{Env: env, State: old}
	}
	base := Revert(env)
	if file == "" {
		return Switch{Env: base, Err: findErr}
	}
	s := State{File: file, Stamp: stamp.UnixNano()}
	paths := []string{file, file + ".lock"}
	cfg, err := config()
	var res *Result
	if err == nil {
		if rec, recErr := TrustRecord(cfg.AllowDir, file); recErr == nil {
			paths = append(paths, rec)
		}
		res, err = Evaluate(ctx, cfg, file, base)
	}
	if res != nil {
		paths = append(paths, res.Watched...)
	}
	s.Watches = watches(append(paths, watch...))
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
	to := maps.Clone(res.Env)
	to[DirVar] = filepath.Dir(file)
	return Switch{Env: Record(base, to, s), State: s, Evaluated: true}
}

// Fresh reports whether no file s watches changed, appeared or vanished
// since s.Stamp.
func Fresh(s State) bool {
	stamp := time.Unix(0, s.Stamp)
	for _, w := range s.Watches {
		fi, err := os.Stat(w.Path)
		if (err == nil) != w.Exists || (err == nil && fi.ModTime().After(stamp)) {
			return false
		}
	}
	return true
}

// watches notes which of paths exist, each path once.
func watches(paths []string) []Watch {
	seen := map[string]bool{}
	var ws []Watch
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		_, err := os.Stat(p)
		ws = append(ws, Watch{Path: p, Exists: err == nil})
	}
	return ws
}

// errSum identifies a failure (the error and the file's content) so that
// it is reported once, however often the file is evaluated again.
func errSum(file string, err error) uint64 {
	h := sha256.New()
	h.Write([]byte(err.Error()))
	if content, rerr := os.ReadFile(file); rerr == nil {
		h.Write(content)
	}
	return binary.LittleEndian.Uint64(h.Sum(nil))
}
