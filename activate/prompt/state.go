package prompt

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/noxenv/noxenv/shells"
)

// StateVar is the environment variable in which a shell carries what noxenv
// last did to it: which .noxprofile is loaded (or blocked, or failed), the
// files whose change needs a new evaluation, and how to revert each
// variable it changed.
const StateVar = "NOXENV_STATE"

// DirVar names the loaded project's directory.
const DirVar = "NOXENV_DIR"

// Status says what became of a .noxprofile.
type Status uint8

const (
	// Loaded: its environment is applied.
	Loaded Status = iota + 1
	// Blocked: it is not trusted; the environment is the user's own.
	Blocked
	// Failed: its evaluation failed; the environment is the user's own.
	Failed
)

func (s Status) String() string {
	switch s {
	case Loaded:
		return "loaded"
	case Blocked:
		return "blocked"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// State is what StateVar holds. It stays small whatever the environment:
// of a PATH-like variable it keeps only the entries noxenv added, of any
// other the previous value and a hash of the value noxenv set.
type State struct {
	File    string
	Status  Status
	Watches []Watch
	// errSum identifies a Blocked or Failed state's error and file
	// content: the same error is reported once.
	errSum uint64
	vars   []varChange
}

// varChange is how to revert one variable.
type varChange struct {
	name string
	// list: a PATH-like variable to which noxenv only added entries.
	list bool
	// existed (list): the variable was set before.
	existed bool
	// front, back (list): the entries noxenv added before and after the
	// previous ones.
	front, back []string
	// user (list): the previous entries, kept only when noxenv added one
	// of them again. A shell that keeps each entry once (zsh's
	// typeset -U path) merges the two, and revert puts the user's back in
	// its place.
	user []string
	// prev (scalar): the value before; nil when unset.
	prev *string
	// unset (scalar): noxenv unset the variable; otherwise sum is the hash
	// of the value noxenv set.
	unset bool
	sum   uint64
}

// Record returns to with StateVar set to s and the changes that turned
// base, the user's own environment, into to, so that Revert can undo them.
func Record(base, to map[string]string, s State) map[string]string {
	out := maps.Clone(to)
	delete(out, StateVar)
	s.vars = changesBetween(base, out)
	out[StateVar] = s.encode()
	return out
}

// LoadState returns the state env carries, or false when it carries none
// or one that cannot be read (from another version of noxenv, say).
func LoadState(env map[string]string) (State, bool) {
	v, ok := env[StateVar]
	if !ok {
		return State{}, false
	}
	s, err := decodeState(v)
	if err != nil {
		return State{}, false
	}
	return s, true
}

// Revert returns env with the changes of any loaded project undone, as
// recorded in its state variable: the user's own environment. A variable
// the user changed after activation keeps the user's value; of a PATH-like
// variable only the entries noxenv added are taken out.
func Revert(env map[string]string) map[string]string {
	out := maps.Clone(env)
	changes, _ := Leaving(env)
	for name, v := range changes {
		if v == nil {
			delete(out, name)
		} else {
			out[name] = *v
		}
	}
	return out
}

// Leaving returns the changes Revert makes to env, and the names of the
// variables of env it depends on (StateVar and those the state records):
// as long as none of them changes, Revert makes the same changes, which a
// shell can then apply without asking noxenv (see hook.Leave).
func Leaving(env map[string]string) (shells.Changes, []string) {
	s, _ := LoadState(env)
	changes := shells.Changes{}
	if _, ok := env[StateVar]; ok {
		changes[StateVar] = nil
	}
	read := []string{StateVar}
	// Each change reads and writes its own variable only.
	vars := make(map[string]string, len(s.vars))
	for _, c := range s.vars {
		read = append(read, c.name)
		if v, ok := env[c.name]; ok {
			vars[c.name] = v
		}
		c.revert(vars)
		v, set := vars[c.name]
		switch old, had := env[c.name]; {
		case set && (!had || old != v):
			changes[c.name] = &v
		case !set && had:
			changes[c.name] = nil
		}
	}
	return changes, read
}

func changesBetween(base, to map[string]string) []varChange {
	var vars []varChange
	for name, v := range to {
		if old, ok := base[name]; (!ok || old != v) && diffable(name) {
			vars = append(vars, changeOf(name, base, v))
		}
	}
	for name, old := range base {
		if _, ok := to[name]; !ok && diffable(name) && name != StateVar {
			old := old
			vars = append(vars, varChange{name: name, prev: &old, unset: true})
		}
	}
	sort.Slice(vars, func(i, j int) bool { return vars[i].name < vars[j].name })
	return vars
}

// changeOf records that name was set to v.
func changeOf(name string, base map[string]string, v string) varChange {
	old, existed := base[name]
	if shells.PathLike(name) && v != "" {
		if front, back, ok := added(entries(old), entries(v)); ok {
			c := varChange{name: name, list: true, existed: existed, front: front, back: back}
			if user := entries(old); slices.ContainsFunc(slices.Concat(front, back), func(e string) bool { return slices.Contains(user, e) }) {
				c.user = user
			}
			return c
		}
	}
	c := varChange{name: name, sum: sum(v)}
	if existed {
		c.prev = &old
	}
	return c
}

// entries splits a ':'-separated list; the empty string has no entries.
func entries(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ":")
}

// added finds old as a run in cur and returns the entries before and after
// it, or false when cur is not old with entries added around it.
func added(old, cur []string) (front, back []string, ok bool) {
	if len(old) == 0 {
		return cur, nil, true
	}
	for i := 0; i+len(old) <= len(cur); i++ {
		if equal(cur[i:i+len(old)], old) {
			return cur[:i], cur[i+len(old):], true
		}
	}
	return nil, nil, false
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sum(v string) uint64 {
	h := sha256.Sum256([]byte(v))
	return binary.LittleEndian.Uint64(h[:8])
}

// revert undoes c in env, keeping what the user changed since.
func (c varChange) revert(env map[string]string) {
	cur, set := env[c.name]
	if c.list {
		if !set {
			return // the user unset it: keep that
		}
		list := entries(cur)
		merged := map[string]bool{}
		for i, e := range slices.Concat(c.front, c.back) {
			switch n := count(list, e); {
			case n == 0:
			case n <= count(c.user, e):
				// The shell merged it with the user's own.
				merged[e] = true
			case i < len(c.front):
				list = removeFirst(list, e)
			default:
				list = removeLast(list, e)
			}
		}
		if len(merged) > 0 {
			list = toUserPlaces(list, c.user, merged)
		}
		if len(list) == 0 && !c.existed {
			delete(env, c.name)
			return
		}
		env[c.name] = strings.Join(list, ":")
		return
	}
	if c.unset == set {
		return // the user set it again, or unset what noxenv set
	}
	if !c.unset && sum(cur) != c.sum {
		return // the user changed it
	}
	if c.prev == nil {
		delete(env, c.name)
	} else {
		env[c.name] = *c.prev
	}
}

func count(list []string, e string) int {
	n := 0
	for _, x := range list {
		if x == e {
			n++
		}
	}
	return n
}

// toUserPlaces moves the entries of merged, which list has where noxenv
// put them, to their places in user: each after the nearest entry before
// it in user, or else before the nearest one after it.
func toUserPlaces(list, user []string, merged map[string]bool) []string {
	list = slices.DeleteFunc(list, func(e string) bool { return merged[e] })
	for i, e := range user {
		if !merged[e] {
			continue
		}
		at := 0
		if j := lastPresent(user[:i], list); j >= 0 {
			at = j + 1
		} else if j := firstPresent(user[i+1:], list); j >= 0 {
			at = j
		}
		list = slices.Insert(list, at, e)
	}
	return list
}

// lastPresent returns where list has the last of entries that it has.
func lastPresent(entries, list []string) int {
	for k := len(entries) - 1; k >= 0; k-- {
		if j := lastIndex(list, entries[k]); j >= 0 {
			return j
		}
	}
	return -1
}

// firstPresent returns where list has the first of entries that it has.
func firstPresent(entries, list []string) int {
	for _, e := range entries {
		if j := slices.Index(list, e); j >= 0 {
			return j
		}
	}
	return -1
}

func removeFirst(list []string, e string) []string {
	for i, x := range list {
		if x == e {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

func removeLast(list []string, e string) []string {
	if i := lastIndex(list, e); i >= 0 {
		return append(list[:i:i], list[i+1:]...)
	}
	return list
}

func lastIndex(list []string, e string) int {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i] == e {
			return i
		}
	}
	return -1
}

// The encoding: a format byte, then uvarint-length-prefixed fields, each
// string as the length of the prefix it shares with the string of its kind
// before it and the rest (paths share long prefixes, so do the values of
// variables named alike), written in unpadded URL-safe base64 after
// statePrefix, so that the value is one plain word for every shell. Front
// coding rather than DEFLATE: a DEFLATE writer costs a fresh process most
// of a megabyte of memory to set up, on every cd.
//
// Formats before 3 kept one stamp time for every watched file: values
// without a prefix (format 1, DEFLATE-compressed) and those of prefix
// "2." (front coded), which shells started before an upgrade still carry,
// still revert, and their watches count as changed.
const (
	stateFormat = 3
	statePrefix = "3."
)

// Flags of a watch in the encoding.
const (
	watchExists = 1 << iota
	watchUnsure
	watchLink // the target follows the time
)

func (s State) encode() string {
	var e encoder
	e.byte(stateFormat)
	e.str(paths, s.File)
	e.byte(byte(s.Status))
	e.uint(uint64(len(s.Watches)))
	for _, w := range s.Watches {
		e.str(paths, w.Path)
		var flags byte
		if w.Exists {
			flags |= watchExists
		}
		if w.Unsure {
			flags |= watchUnsure
		}
		if w.Target != "" {
			flags |= watchLink
		}
		e.byte(flags)
		e.uint(uint64(w.ModTime))
		if w.Target != "" {
			e.str(paths, w.Target)
		}
	}
	e.uint(s.errSum)
	e.uint(uint64(len(s.vars)))
	for _, c := range s.vars {
		e.str(names, c.name)
		e.bool(c.list)
		if c.list {
			e.bool(c.existed)
			e.strs(c.front)
			e.strs(c.back)
			e.strs(c.user)
			continue
		}
		e.bool(c.prev != nil)
		if c.prev != nil {
			e.str(values, *c.prev)
		}
		e.bool(c.unset)
		e.uint(c.sum)
	}
	return statePrefix + base64.RawURLEncoding.EncodeToString(e.buf)
}

// InflateState decompresses a state of format 1 (DEFLATE, written before
// format 2). Package activate sets it; the prompt's front, which does not
// link compress/flate, leaves such a state to noxenv (StateNeedsInflate).
var InflateState func([]byte) ([]byte, error)

var errNoInflate = errors.New("a state of format 1, which this program cannot read")

// StateNeedsInflate reports whether env holds a state of format 1 that
// this program cannot read (InflateState unset).
func StateNeedsInflate(env map[string]string) bool {
	v, ok := env[StateVar]
	if !ok || InflateState != nil {
		return false
	}
	_, format := stateCoded(v)
	return format == 1
}

// stateCoded returns the base64 text of the state v and its format.
func stateCoded(v string) (coded string, format byte) {
	if coded, ok := strings.CutPrefix(v, statePrefix); ok {
		return coded, stateFormat
	}
	if coded, ok := strings.CutPrefix(v, "2."); ok {
		return coded, 2
	}
	return v, 1
}

func decodeState(v string) (State, error) {
	coded, format := stateCoded(v)
	front := format > 1
	raw, err := base64.RawURLEncoding.DecodeString(coded)
	if err != nil {
		return State{}, err
	}
	if !front {
		if InflateState == nil {
			return State{}, errNoInflate
		}
		if raw, err = InflateState(raw); err != nil {
			return State{}, err
		}
	}
	d := decoder{buf: raw, front: front}
	if d.byte() != format {
		return State{}, errors.New("unknown state format")
	}
	stamped := format < 3
	var s State
	s.File = d.str(paths)
	s.Status = Status(d.byte())
	if stamped {
		d.uint() // the stamp
	}
	for n := d.count(); n > 0; n-- {
		w := Watch{Path: d.str(paths)}
		if stamped {
			w.Exists, w.Unsure = d.bool(), true
		} else {
			flags := d.byte()
			w.Exists, w.Unsure = flags&watchExists != 0, flags&watchUnsure != 0
			w.ModTime = int64(d.uint())
			if flags&watchLink != 0 {
				w.Target = d.str(paths)
			}
		}
		s.Watches = append(s.Watches, w)
	}
	s.errSum = d.uint()
	for n := d.count(); n > 0; n-- {
		c := varChange{name: d.str(names), list: d.bool()}
		if c.list {
			c.existed = d.bool()
			c.front = d.strs()
			c.back = d.strs()
			if !stamped {
				c.user = d.strs()
			}
		} else {
			if d.bool() {
				p := d.str(values)
				c.prev = &p
			}
			c.unset = d.bool()
			c.sum = d.uint()
		}
		s.vars = append(s.vars, c)
	}
	if d.err != nil {
		return State{}, d.err
	}
	return s, nil
}

// kind sorts the strings of a state for front coding.
type kind int

const (
	paths kind = iota // files and the entries of PATH-like variables
	names
	values
	kinds
)

// encoder writes the fields of a state; last holds the string of each
// kind written last.
type encoder struct {
	buf  []byte
	last [kinds]string
}

func (e *encoder) byte(b byte)   { e.buf = append(e.buf, b) }
func (e *encoder) uint(u uint64) { e.buf = binary.AppendUvarint(e.buf, u) }
func (e *encoder) str(k kind, s string) {
	last, n := e.last[k], 0
	for n < len(s) && n < len(last) && s[n] == last[n] {
		n++
	}
	e.uint(uint64(n))
	e.uint(uint64(len(s) - n))
	e.buf = append(e.buf, s[n:]...)
	e.last[k] = s
}
func (e *encoder) strs(l []string) {
	e.uint(uint64(len(l)))
	for _, s := range l {
		e.str(paths, s)
	}
}

func (e *encoder) bool(b bool) {
	if b {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// decoder reads the fields of a state; front says strings are front
// coded (format 2), last holds the string of each kind read last.
type decoder struct {
	buf   []byte
	err   error
	front bool
	last  [kinds]string
}

var errTruncated = errors.New("truncated state")

func (d *decoder) byte() byte {
	if len(d.buf) == 0 {
		d.err = errTruncated
		return 0
	}
	b := d.buf[0]
	d.buf = d.buf[1:]
	return b
}

func (d *decoder) uint() uint64 {
	u, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.err = errTruncated
		d.buf = nil
		return 0
	}
	d.buf = d.buf[n:]
	return u
}

// count reads a length that must fit in what is left.
func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.buf)) {
		d.err = errTruncated
		return 0
	}
	return int(n)
}

func (d *decoder) str(k kind) string {
	var shared uint64
	if d.front {
		if shared = d.uint(); shared > uint64(len(d.last[k])) {
			d.err, shared = errTruncated, 0
		}
	}
	n := d.count()
	s := d.last[k][:shared] + string(d.buf[:n])
	d.buf = d.buf[n:]
	d.last[k] = s
	return s
}

func (d *decoder) bool() bool { return d.byte() == 1 }

func (d *decoder) strs() []string {
	var l []string
	for n := d.count(); n > 0; n-- {
		l = append(l, d.str(paths))
	}
	return l
}
