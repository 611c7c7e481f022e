package activate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Session is the environment of a noxenv shell, with the file that keeps
// its generation a gc root for as long as the session lives.
type Session struct {
	*Result
	// Root is StateDir/sessions/KEY, holding the generation's path, under
	// an exclusive flock as long as a process holds it open; nil without
	// packages. Its descriptor is inherited across exec.
	Root *os.File
}

// StartSession evaluates the project file (none when "") from base and
// adds the packages pkgs, unlocked and outside the project's own
// generation. The session's generation is recorded as a root before the
// stores' guard is released.
func StartSession(ctx context.Context, cfg Config, file string, base map[string]string, pkgs []string) (*Session, error) {
	res, release, err := evaluate(ctx, cfg, file, base, options{extra: pkgs, keepGuard: true})
	if err != nil {
		return nil, err
	}
	if release != nil {
		defer release()
	}
	s := &Session{Result: res}
	if res.Generation != nil {
		if s.Root, err = openSession(cfg.StateDir, res.Generation.Dir); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// openSession creates a session root for the generation gen, locked, and
// only then visible under its final name.
func openSession(stateDir, gen string) (*os.File, error) {
	dir := filepath.Join(stateDir, "sessions")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(rnd[:]))
	tmp := filepath.Join(dir, "."+name+".tmp")
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*os.File, error) {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("session root: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return fail(err)
	}
	if _, err := f.WriteString(gen); err != nil {
		return fail(err)
	}
	// The descriptor, and with it the lock, passes to the session's
	// command.
	if _, err := unix.FcntlInt(f.Fd(), unix.F_SETFD, 0); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fail(err)
	}
	return f, nil
}
