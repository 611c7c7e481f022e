package profile

import (
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/noxenv/noxenv/store"
)

// searchPaths are the variables of SPEC §4.4 and the directories of a
// generation each one gains, in order.
var searchPaths = []struct {
	name string
	dirs []string
}{
	{"PATH", []string{"bin", "sbin"}},
	{"MANPATH", []string{"share/man"}},
	{"INFOPATH", []string{"share/info"}},
	{"PKG_CONFIG_PATH", []string{"lib/pkgconfig", "share/pkgconfig"}},
	{"CMAKE_PREFIX_PATH", []string{""}},
	{"XDG_DATA_DIRS", []string{"share"}},
}

// defaultXDGDataDirs is what $XDG_DATA_DIRS means when unset or empty.
const defaultXDGDataDirs = "/usr/local/share:/usr/share"

// Environ applies SPEC §4.4 for g to env and returns the new environment;
// env is not modified. A nil g returns a copy of env.
//
// Each search path gains the generation's directories that exist, in
// front. MANPATH keeps a trailing ":" so that the system's pages stay
// found; XDG_DATA_DIRS keeps its default when it was unset. The entries'
// own env settings come last, the best-ranked entry's applied last so
// that its settings win and its prepends come first.
func Environ(g *Generation, env map[string]string) map[string]string {
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	if g == nil {
		return out
	}
	for _, sp := range searchPaths {
		var add []string
		for _, d := range sp.dirs {
			p := filepath.Join(g.Dir, d)
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				add = append(add, p)
			}
		}
		if len(add) == 0 {
			continue
		}
		front, old := strings.Join(add, ":"), out[sp.name]
		switch {
		case sp.name == "MANPATH" && old == "":
			out[sp.name] = front + ":"
		case sp.name == "XDG_DATA_DIRS" && old == "":
			out[sp.name] = front + ":" + defaultXDGDataDirs
		default:
			out[sp.name] = prependList(front, old)
		}
	}
	out["NOXENV_PROFILE"] = g.Dir
	for _, i := range envOrder(g) {
		applySettings(out, g.Entries[i])
	}
	return out
}

// prependList puts front before the list old; an empty old list gains no
// empty element (which PATH would take for the working directory).
func prependList(front, old string) string {
	if old == "" {
		return front
	}
	return front + ":" + old
}

// envOrder returns the indexes of g's entries in the order their env
// settings apply: worst rank first, and within a rank dependencies before
// what depends on them.
func envOrder(g *Generation) []int {
	idx := make([]int, len(g.Entries))
	for i := range idx {
		idx[i] = len(idx) - 1 - i
	}
	sort.SliceStable(idx, func(a, b int) bool { return g.rankOf(idx[b]).less(g.rankOf(idx[a])) })
	return idx
}

func applySettings(env map[string]string, e *store.Entry) {
	if e.Info == nil {
		return
	}
	for _, s := range e.Info.Env {
		v := strings.ReplaceAll(s.Value, "${prefix}", e.Path)
		old := env[s.Var]
		switch s.Op {
		case store.EnvSet:
			env[s.Var] = v
		case store.EnvPrepend:
			env[s.Var] = prependList(v, old)
		case store.EnvAppend:
			if old == "" {
				env[s.Var] = v
			} else {
				env[s.Var] = old + ":" + v
			}
		}
	}
}
