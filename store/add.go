package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// AddOptions are the flags of store add.
type AddOptions struct {
	Name, Version string
	Deps          []string     // PKG arguments of --dep
	Env           []EnvSetting // --env
	Strip         int          // leading path components of tarball members; -1: automatic
	// Unxz reads an xz stream, for an xz tarball, which is an error
	// (ErrNoXZ) without it: a decoder's package initialisation is paid by
	// every start of a program that links it, so the caller brings one.
	Unxz func(io.Reader) (io.Reader, error)
	// Progress, when set, is called now and then during the copy, from one
	// goroutine at a time.
	Progress func(Progress)
}

// Progress reports a long add.
type Progress struct {
	Files int
	Bytes int64
}

// progressEvery is how often Add reports progress.
const progressEvery = 200 * time.Millisecond

// tarballSuffixes are the file name endings of the tarballs add takes.
var tarballSuffixes = []string{".tar.gz", ".tar.xz", ".tgz", ".tar"}

// DefaultNameVersion splits the base name of an add's source, without its
// tarball suffix, as NAME-VERSION. Either may come back empty.
func DefaultNameVersion(src string) (name, version string) {
	base := filepath.Base(filepath.Clean(src))
	for _, suf := range tarballSuffixes {
		if strings.HasSuffix(base, suf) && len(base) > len(suf) {
			base = strings.TrimSuffix(base, suf)
			break
		}
	}
	if n, v, ok := SplitNameVersion(base); ok {
		return n, v
	}
	return base, ""
}

// MissingVersionError says that add found no version for an entry.
type MissingVersionError struct{ Source string }

func (e *MissingVersionError) Error() string {
	return fmt.Sprintf("%s: no version: its name is not NAME-VERSION", e.Source)
}

// Hint says how to give the version.
func (e *MissingVersionError) Hint() string { return "pass --version V (and --name N)" }

// Add copies src (a directory or tarball) into st as a new entry, or finds
// the identical existing one (existed is then true).
func (sp *SearchPath) Add(ctx context.Context, st *Store, src string, opts AddOptions) (e *Entry, existed bool, err error) {
	// A missing source is said first: its name is no use then.
	fi, err := os.Stat(src)
	if err != nil {
		return nil, false, fmt.Errorf("add %w", readError(src, err))
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return nil, false, fmt.Errorf("add %s: not a directory or a tarball", src)
	}
	info := &Info{Name: opts.Name, Version: opts.Version, References: []string{}, Env: opts.Env}
	dn, dv := DefaultNameVersion(src)
	if info.Name == "" {
		info.Name = dn
	}
	if info.Version == "" {
		if dv == "" {
			return nil, false, &MissingVersionError{Source: src}
		}
		info.Version = dv
	}
	if err := CheckName(info.Name); err != nil {
		return nil, false, fmt.Errorf("add %s: %w", src, err)
	}
	if err := CheckVersion(info.Version); err != nil {
		return nil, false, fmt.Errorf("add %s: %w", src, err)
	}
	if info.Env == nil {
		info.Env = []EnvSetting{}
	}
	for _, s := range info.Env {
		// The metadata is JSON, which would keep another value.
		if !utf8.ValidString(s.Value) {
			return nil, false, fmt.Errorf("add %s: env setting %q: its value is not UTF-8, which an entry's metadata cannot hold", src, s)
		}
	}
	if !st.Writable {
		return nil, false, &NoWritableStoreError{Dir: st.Dir, Managed: st.Managed}
	}

	release, err := sp.guardWith(st)
	if err != nil {
		return nil, false, err
	}
	defer release()

	refs := map[string]bool{}
	for _, d := range opts.Deps {
		de, err := sp.Find(d)
		if err != nil {
			return nil, false, fmt.Errorf("--dep %s: %w", d, err)
		}
		refs[de.ID] = true
	}
	known, err := sp.knownHashes(st)
	if err != nil {
		return nil, false, err
	}

	// Asked before the temporary tree exists: an interrupt from here on
	// cancels ctx (the CLI catches it from the first question) and the
	// tree is removed, where an interrupt before would leave it.
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	tmp, err := os.MkdirTemp(st.Dir, ".tmp-add-")
	if err != nil {
		return nil, false, fmt.Errorf("store %s: %w", st.Dir, err)
	}
	defer func() {
		if tmp != "" {
			removeTree(tmp)
		}
	}()

	t := &tree{refs: refs}
	stop := reportProgress(opts.Progress, t)
	root := tmp
	if fi.IsDir() {
		err = copyDir(ctx, src, tmp, known, t)
	} else {
		root, err = importTarball(ctx, src, tmp, opts.Strip, opts.Unxz, known, t)
	}
	stop()
	if err != nil {
		return nil, false, fmt.Errorf("add %s: %w", src, err)
	}
	if root != tmp {
		// A directory moves to another parent only while it is writable
		// (its ".." changes): bring the tree beside the store's entries
		// now, so that the final rename, after sealing, stays in st.Dir.
		if root, err = moveBeside(st.Dir, root); err != nil {
			return nil, false, fmt.Errorf("add %s: %w", src, err)
		}
		removeTree(tmp)
		tmp = root
	}
	testHook("copied")
	if err := seal(root, t.items); err != nil {
		return nil, false, fmt.Errorf("add %s: %w", src, err)
	}

	info.Hash = formatHash(treeHash(t.items))
	info.Size, info.Files = totals(t.items)
	for id := range t.refs {
		info.References = append(info.References, id)
	}
	sort.Strings(info.References)
	info.Added = time.Now().UTC()
	id := entryID(info)
	testHook("sealed")
	existed, err = st.publish(root, id, info, listingOf(t.items))
	if err != nil {
		return nil, false, fmt.Errorf("add %s: %w", src, err)
	}
	e, err = st.lookup(id)
	if err == nil && e == nil {
		err = fmt.Errorf("entry %s vanished from store %s", id, st.Dir)
	}
	return e, existed, err
}

// testHook is called at the steps of an add; tests set it to kill the
// process there.
var testHook = func(step string) {}

// guardWith is Guard, plus st's own lock when st is outside the path.
func (sp *SearchPath) guardWith(st *Store) (func(), error) {
	release, err := sp.Guard(false)
	if err != nil || sp.store(st.Dir) != nil {
		return release, err
	}
	f, err := lockFile(filepath.Join(st.Dir, LockName), false)
	if err != nil {
		release()
		return nil, fmt.Errorf("store %s: %w", st.Dir, err)
	}
	return func() { f.Close(); release() }, nil
}

// knownHashes maps the HASH part of every entry id of the path (and of st)
// to the id, for reference scanning.
func (sp *SearchPath) knownHashes(st *Store) (map[string]string, error) {
	stores := sp.Stores
	if sp.store(st.Dir) == nil {
		stores = append([]*Store{st}, stores...)
	}
	known := map[string]string{}
	for _, s := range stores {
		ids, err := s.IDs()
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			known[id[:hashLen]] = id
		}
	}
	return known, nil
}

// reportProgress calls report every progressEvery until stop is called,
// and once more then.
func reportProgress(report func(Progress), t *tree) (stop func()) {
	if report == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				report(t.progress())
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		report(t.progress())
	}
}

// publish makes the sealed tree root the entry id of st: renamed into
// place, then its listing and metadata written, the metadata's appearance
// making the entry visible. When the entry exists already, its content is identical (the id
// says so): root is left for the caller to drop and existed is true.
func (st *Store) publish(root, id string, info *Info, listing []byte) (existed bool, err error) {
	lock, err := lockFile(filepath.Join(st.Dir, publishLockName), true)
	if err != nil {
		return false, err
	}
	defer lock.Close()
	defer st.dropIndex()
	final := filepath.Join(st.Dir, id)
	infoPath := final + InfoSuffix
	_, ierr := os.Stat(infoPath)
	fi, derr := os.Lstat(final)
	if ierr == nil && derr == nil && fi.IsDir() {
		return true, nil
	}
	if derr == nil {
		// An unfinished add, or what a killed gc left: its content cannot
		// be trusted, so set it aside for removal and use ours.
		stale, err := moveBeside(st.Dir, final)
		if err != nil {
			return false, err
		}
		defer removeTree(stale)
	}
	if err := os.Rename(root, final); err != nil {
		return false, err
	}
	testHook("renamed")
	if err := WriteFileAtomic(final+ListingSuffix, listing, 0o444); err != nil {
		return false, err
	}
	testHook("listed")
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return false, err
	}
	return false, WriteFileAtomic(infoPath, append(data, '\n'), 0o444)
}

// moveBeside renames the directory dir to a new hidden name in parent and
// returns that name. Renaming onto the empty directory MkdirTemp made is
// atomic, and within one parent it needs no write permission on dir.
func moveBeside(parent, dir string) (string, error) {
	to, err := os.MkdirTemp(parent, ".tmp-add-")
	if err != nil {
		return "", err
	}
	// os.Rename refuses an existing directory as the target.
	if err := unix.Rename(dir, to); err != nil {
		os.Remove(to)
		return "", &os.LinkError{Op: "rename", Old: dir, New: to, Err: err}
	}
	return to, nil
}

// ParseEnvSetting parses an --env SPEC: VAR=VALUE sets, VAR+=VALUE
// prepends, VAR=+VALUE appends.
func ParseEnvSetting(spec string) (EnvSetting, error) {
	name, value, ok := strings.Cut(spec, "=")
	if !ok {
		return EnvSetting{}, fmt.Errorf("env setting %q: want VAR=VALUE, VAR+=VALUE or VAR=+VALUE", spec)
	}
	s := EnvSetting{Var: name, Op: EnvSet, Value: value}
	if v, ok := strings.CutSuffix(name, "+"); ok {
		s.Var, s.Op = v, EnvPrepend
	} else if v, ok := strings.CutPrefix(value, "+"); ok {
		s.Op, s.Value = EnvAppend, v
	}
	if !validVarName(s.Var) {
		return EnvSetting{}, fmt.Errorf("env setting %q: %q is not a variable name", spec, s.Var)
	}
	return s, nil
}

func validVarName(s string) bool {
	if s == "" || isDigit(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && !isLetter(c) && c != '_' {
			return false
		}
	}
	return true
}

// String returns the setting as --env takes it.
func (s EnvSetting) String() string {
	switch s.Op {
	case EnvPrepend:
		return s.Var + "+=" + s.Value
	case EnvAppend:
		return s.Var + "=+" + s.Value
	}
	return s.Var + "=" + s.Value
}
