package prompt

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/noxenv/noxenv/internal/plainfile"
)

// The cache keeps, for each project file and configuration, the result of
// its last evaluation with what that result depends on: the file's
// content, the value of every variable the script read from its starting
// environment, and a fingerprint of every file it looked at. A result is
// reused only when all of them still match, its generation is still the
// project's current one, and the evaluation ran nothing whose effect
// cannot be known: no external command, no file written, no globbing, no
// unlocked package. Variables the script did not read pass through, so a
// batch job's own variables do not defeat the cache.

// Places are where a project's evaluation is keyed and kept: what the
// cache and trust records are found by.
type Places struct {
	// StoreDirs are the directories of the store search path.
	StoreDirs []string
	// StateDir is $XDG_STATE_HOME/noxenv: generations, roots, projects.
	StateDir string
	// AllowDir holds trust records.
	AllowDir string
	// ProfilesDir and ReleaseProfileDirs are searched by use_profile.
	ProfilesDir        string
	ReleaseProfileDirs []string
	// CacheDir, when set, keeps evaluated environments so that the same
	// file, lock, watched files and starting environment are not
	// evaluated twice, and what fetchurl fetched ($XDG_CACHE_HOME/noxenv).
	CacheDir string
}

// cacheFormat changes whenever what an evaluation computes changes.
const cacheFormat = "noxenv-eval-5"

type CacheRecord struct {
	Content string // sha256 of the file evaluated
	// Read holds the variables of the starting environment the script
	// read, with their values then (nil: unset).
	Read map[string]*string
	// Set and Unset turn the starting environment into the result.
	Set     map[string]string
	Unset   []string
	Watched []string
	// Deps maps each file looked at to its fingerprint.
	Deps map[string]string
	// GenDir is the generation, Root what the project's profile resolved
	// to when it was recorded; empty without packages.
	GenDir string
	Root   string
}

// Fingerprint says what a file is now: absent, a directory, or a regular
// file's content, with the target of any symbolic link on the way, its
// type and permission bits (the mode as stat gives it) and a regular
// file's modification time (test -x, test -nt).
func Fingerprint(p string) string { return FingerprintAs(p, nil) }

// FingerprintAs is Fingerprint, a regular file's content taken to be data
// when data is not nil.
func FingerprintAs(p string, data []byte) string {
	var buf [fingerprintRoom]byte
	return string(appendFingerprint(buf[:0], p, data))
}

// sameFingerprint reports whether FingerprintAs(p, data) is fp. The
// prompt checks every file a cached evaluation looked at (each package's
// store entry among them): built on the stack and compared in place, a
// fingerprint costs it no allocation.
func sameFingerprint(p string, data []byte, fp string) bool {
	var buf [fingerprintRoom]byte
	return string(appendFingerprint(buf[:0], p, data)) == fp
}

// fingerprintRoom holds a fingerprint without a link in it.
const fingerprintRoom = 64

// appendFingerprint appends p's fingerprint to b.
func appendFingerprint(b []byte, p string, data []byte) []byte {
	var st unix.Stat_t
	if unix.Lstat(p, &st) != nil {
		return append(b, "absent"...)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		t, err := filepath.EvalSymlinks(p)
		if err != nil || unix.Stat(t, &st) != nil {
			return append(b, "dangling"...)
		}
		b = append(append(append(b, "link:"...), t...), ' ')
	}
	b = append(strconv.AppendUint(append(b, 'm'), uint64(st.Mode), 8), ' ')
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		// A directory's time changes with every file made in it: not
		// followed.
		return append(b, "dir"...)
	case unix.S_IFREG:
	default:
		return append(b, "special"...)
	}
	b = append(strconv.AppendInt(b, st.Mtim.Nano(), 10), ' ')
	// The content's hash tells a change the time cannot (a file written
	// twice within the time's precision). A fingerprint guards no trust
	// (the trust records hash with SHA-256): FNV-1a, which needs no table
	// made first, costs the prompt a quarter of SHA-256's instructions.
	h := fnv.New64a()
	if data != nil {
		h.Write(data)
	} else {
		f, err := os.Open(p)
		if err != nil {
			return append(b, "unreadable"...)
		}
		defer f.Close()
		if _, err := io.Copy(h, f); err != nil {
			return append(b, "unreadable"...)
		}
	}
	return strconv.AppendUint(append(b, "fnv64a:"...), h.Sum64(), 16)
}

// CacheFile returns where the last result of evaluating file under cfg is
// kept.
func CacheFile(cfg Places, file string) string {
	h := sha256.New()
	field := func(h hash.Hash, s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	field(h, cacheFormat)
	field(h, file)
	field(h, cfg.StateDir)
	field(h, cfg.AllowDir)
	field(h, cfg.ProfilesDir)
	for _, d := range cfg.ReleaseProfileDirs {
		field(h, d)
	}
	for _, d := range cfg.StoreDirs {
		field(h, d)
	}
	return filepath.Join(cfg.CacheDir, "eval", hex.EncodeToString(h.Sum(nil)))
}

// Project is a project file as an evaluation starts from it: the
// content of the file, its lock and its trust record, each observed
// before it was read.
type Project struct {
	// File is the project file's path as trust records key it.
	File string
	// Content, Lock (nil: none) and Record are what was read and checked
	// for trust: an evaluation uses exactly these.
	Content, Lock, Record []byte
	// Watched are the file, its lock and its trust record as observed
	// before they were read: allowing or denying the file is a change.
	Watched []Watch
}

// ReadProject observes and reads the project file file, its lock and its
// trust record. When the file is not trusted (a *BlockedError) or cannot
// be read, it returns the error with the project's Watched; it returns a
// nil Project when file's path cannot be resolved.
func ReadProject(allowDir, file string) (*Project, error) {
	file, err := TrustPath(file)
	if err != nil {
		return nil, err
	}
	p := &Project{File: file}
	for _, f := range []string{file, LockPath(file), RecordOf(allowDir, file)} {
		p.Watched = append(p.Watched, Observe(f))
	}
	p.Content, p.Lock, p.Record, err = readTrustedProject(allowDir, file)
	return p, err
}

// Read returns the files read, by path, with what was read of each.
func (p *Project) Read(allowDir string) map[string][]byte {
	return map[string][]byte{p.File: p.Content, LockPath(p.File): p.Lock, RecordOf(allowDir, p.File): p.Record}
}

// Cached is an evaluation result kept in the cache.
type Cached struct {
	// Env is the whole resulting environment.
	Env map[string]string
	// Watched are the files the evaluation watched, observed now.
	Watched []Watch
	// GenDir is the project's generation; "" when it uses no packages.
	GenDir string
}

// Cached returns the result of an evaluation of p, under cfg, from the
// starting environment base: the last one's, or that of the one before
// from another start (see Alternate); nil when there is none still valid.
// The files the evaluation watched are observed before the cache is
// checked against them; the project's own files are hashed as read, not
// read again: a change since shows in their modification time.
func (p *Project) Cached(cfg Places, base map[string]string) *Cached {
	file := CacheFile(cfg, p.File)
	if c := p.cachedIn(file, cfg, base); c != nil {
		return c
	}
	return p.cachedIn(Alternate(file), cfg, base)
}

// Alternate is where the cache keeps, beside the last result in file, the
// one before it from another start of the same content: a shell and the
// jobs it submits, whose environments differ in a variable the project
// reads (PATH, for PATH_add), each find theirs rather than evaluate in
// turn.
func Alternate(file string) string { return file + ".1" }

// cachedIn is Cached from the record in file.
func (p *Project) cachedIn(file string, cfg Places, base map[string]string) *Cached {
	data, err := plainfile.ReadFile(file)
	if err != nil {
		return nil
	}
	c, err := UnmarshalCacheRecord(data)
	if err != nil || c.Content != ContentSum(p.Content) {
		return nil
	}
	for k, v := range c.Read {
		if bv, ok := base[k]; ok != (v != nil) || ok && bv != *v {
			return nil
		}
	}
	res := &Cached{Env: make(map[string]string, len(base)), Watched: make([]Watch, len(c.Watched))}
	for i, f := range c.Watched {
		res.Watched[i] = p.seen(f)
	}
	read := p.Read(cfg.AllowDir)
	for f, fp := range c.Deps {
		if !sameFingerprint(f, read[f], fp) {
			return nil
		}
	}
	maps.Copy(res.Env, base)
	maps.Copy(res.Env, c.Set)
	for _, k := range c.Unset {
		delete(res.Env, k)
	}
	if c.GenDir != "" {
		if root, err := ResolveLinks(ProfileLink(cfg.StateDir, p.File)); err != nil || root != c.Root {
			return nil
		}
		if _, err := os.Stat(c.GenDir); err != nil {
			return nil
		}
		res.GenDir = c.GenDir
	}
	return res
}

// seen returns f as observed before it was read, when it is one of the
// project's own files, or observes it now.
func (p *Project) seen(f string) Watch {
	for _, w := range p.Watched {
		if w.Path == f {
			return w
		}
	}
	return Observe(f)
}

// ContentSum is the hash a cache record keeps of the evaluated content.
func ContentSum(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// ResolveLinks follows the chain of symbolic links at p (a profile link
// and its generation link) to what the last one names, without resolving
// every directory on the way as filepath.EvalSymlinks does.
func ResolveLinks(p string) (string, error) {
	for range 8 {
		t, err := os.Readlink(p)
		if err != nil {
			if errors.Is(err, syscall.EINVAL) {
				return p, nil // not a link
			}
			return "", err
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = t
	}
	return "", fmt.Errorf("%s: too many links", p)
}
