package prompt

import (
	"github.com/noxenv/noxenv/shells"
)

// shellOwned are variables every shell manages itself: a diff never sets
// them, whatever the evaluation left in them.
var shellOwned = map[string]bool{"PWD": true, "OLDPWD": true, "SHLVL": true, "_": true}

// ShellOwned reports whether every shell manages the variable name
// itself.
func ShellOwned(name string) bool { return shellOwned[name] }

// diffable reports whether a variable may appear in a diff: a shell can set
// it and does not manage it itself.
func diffable(name string) bool {
	return !shellOwned[name] && shells.ValidName(name)
}

// Diff returns the changes that turn the environment from into to: the
// variables whose value differs, with nil for those to unset.
func Diff(from, to map[string]string) shells.Changes {
	changes := shells.Changes{}
	for name, v := range to {
		if old, ok := from[name]; (!ok || old != v) && diffable(name) {
			v := v
			changes[name] = &v
		}
	}
	for name := range from {
		if _, ok := to[name]; !ok && diffable(name) {
			changes[name] = nil
		}
	}
	return changes
}
