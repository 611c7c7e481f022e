package hook

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/noxenv/noxenv/shells"
)

// render returns the code that defines _noxenv_leave in shell: a function
// that leaves the project as l says, or fails so that the hook exports
// (elvish: the data the hook's function of that name runs over, which
// throws instead). A nil l, outside any project, always fails, as does
// one whose files' times no stamp in stampDir can carry.
func (l *Leave) render(shell, stampDir string) (string, error) {
	none := "_noxenv_leave() { return 1; };\n"
	switch shell {
	case "fish":
		none = "function _noxenv_leave; return 1; end;\n"
	case "elvish":
		none = noLeaveElvish
	}
	if l == nil {
		return none, nil
	}
	if shell == "elvish" {
		return l.renderElvish()
	}
	same, err := fileWords(shell, stampDir, l.Kept, append(append([]string{}, l.Missing...), l.Absent...))
	if err != nil || same == nil {
		return none, err
	}
	if len(same) > 0 {
		same = same[1:] // the first "-a"
	}
	var words []string
	for _, w := range append(same, setValues(l.Guard)...) {
		if strings.IndexByte(w, 0) >= 0 {
			return "", fmt.Errorf("hook: %q holds a NUL byte, which no shell can carry", w)
		}
	}
	q := func(s string) string {
		w, err := shells.Quote(shell, s)
		if err != nil {
			panic(err) // no NUL: checked above, or a path
		}
		return w
	}
	for _, w := range same {
		words = append(words, q(w))
	}
	restore, err := shells.Render(shell, l.Restore)
	if err != nil {
		return "", err
	}
	names, err := l.guardNames()
	if err != nil {
		return "", err
	}
	var found, watch []string
	for _, n := range l.Names {
		found = append(found, `-e "$_noxenv_d"/`+q(n))
	}
	for _, n := range l.Watch {
		watch = append(watch, "-a "+q("!")+` -e "$_noxenv_d"/`+q(n))
	}
	var after []string
	for _, p := range l.Absent {
		after = append(after, "-a "+q("!")+" -e "+q(p))
	}
	var b strings.Builder
	switch shell {
	case "bash", "zsh":
		b.WriteString("_noxenv_leave() {\n")
		if shell == "zsh" {
			b.WriteString("  emulate -L zsh\n")
		}
		// bash compares without case under nocasematch: the export
		// tells then.
		guard := []string{"$PWD == /*"}
		if shell == "bash" {
			guard = append(guard, ":$BASHOPTS: != *:nocasematch:*")
		}
		for _, name := range names {
			if v := l.Guard[name]; v == nil {
				guard = append(guard, "-z ${"+name+"+1}")
			} else {
				guard = append(guard, "-n ${"+name+"+1} && $"+name+" == "+q(*v))
			}
		}
		b.WriteString("  [[ " + strings.Join(guard, " && ") + " ]] || return 1\n")
		if len(words) > 0 {
			b.WriteString("  [ " + strings.Join(words, " ") + " ] || return 1\n")
		}
		b.WriteString("  local _noxenv_d=$PWD\n  local -a _noxenv_w\n  _noxenv_w=(" + q("=") + ` "$PWD")` + "\n")
		b.WriteString("  while :; do\n")
		b.WriteString("    [ " + strings.Join(found, " -o ") + " ] && return 1\n")
		b.WriteString("    _noxenv_w+=(" + strings.Join(watch, " ") + ")\n")
		b.WriteString("    [[ -n $_noxenv_d ]] || break\n    _noxenv_d=${_noxenv_d%/*}\n  done\n")
		b.WriteString(restore)
		b.WriteString(`  typeset -ga _noxenv_check=("${_noxenv_w[@]}" ` + strings.Join(after, " ") + ")\n")
		if l.Message != "" {
			b.WriteString("  printf '%s\\n' " + q(l.Message) + " >&2\n")
		}
		b.WriteString("};\n")
	case "fish":
		b.WriteString("function _noxenv_leave\n")
		b.WriteString("  string match -q '/*' -- \"$PWD\"; or return 1\n")
		for _, name := range names {
			if v := l.Guard[name]; v == nil {
				b.WriteString("  not set -q " + name + "; or return 1\n")
			} else {
				b.WriteString("  set -q " + name + "; and test \"$" + name + "\" = " + q(*v) + "; or return 1\n")
			}
		}
		if len(words) > 0 {
			b.WriteString("  test " + strings.Join(words, " ") + "; or return 1\n")
		}
		// The directories from the working one up, as prefixes: /a/b
		// gives /a/b, /a and "" (the root's files are /NAME), from one
		// command substitution (each costs fish about as much as the
		// tests of a directory).
		b.WriteString("  set -l _noxenv_p ''\n  set -l _noxenv_ds ''\n")
		b.WriteString("  for _noxenv_c in (string split / -- $PWD)\n")
		b.WriteString("    test -n \"$_noxenv_c\"; and set _noxenv_p $_noxenv_p/$_noxenv_c; and set -p _noxenv_ds $_noxenv_p\n  end\n")
		b.WriteString("  set -l _noxenv_w " + q("=") + " $PWD\n")
		b.WriteString("  for _noxenv_d in $_noxenv_ds\n")
		b.WriteString("    test " + strings.Join(found, " -o ") + "; and return 1\n")
		b.WriteString("    set -a _noxenv_w " + strings.Join(watch, " ") + "\n  end\n")
		b.WriteString(restore)
		b.WriteString("  set -g _noxenv_check $_noxenv_w " + strings.Join(after, " ") + "\n")
		if l.Message != "" {
			b.WriteString("  printf '%s\\n' " + q(l.Message) + " >&2\n")
		}
		b.WriteString("end;\n")
	default:
		return "", unknownShell(shell)
	}
	return b.String(), nil
}

// guardNames returns the names of l's guarded variables, sorted.
func (l *Leave) guardNames() ([]string, error) {
	names := make([]string, 0, len(l.Guard))
	for name := range l.Guard {
		if !shells.ValidName(name) {
			return nil, fmt.Errorf("hook: variable name %q is not a shell identifier", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// setValues returns the values of changes that are set.
func setValues(changes shells.Changes) []string {
	var out []string
	for _, v := range changes {
		if v != nil {
			out = append(out, *v)
		}
	}
	return out
}

// noLeaveElvish is elvish's _noxenv_leave outside any project: $nil,
// which throws when called.
const noLeaveElvish = "var _noxenv_leave = $nil\n"

// renderElvish returns l as elvish's _noxenv_leave: data only, a map
// that the hook's _noxenv_leave-fn runs over (see elvishSnippet). Kept
// files are compared by content, as elvish's check does.
func (l *Leave) renderElvish() (string, error) {
	names, err := l.guardNames()
	if err != nil {
		return "", err
	}
	var values, has, present []string
	for _, name := range names {
		v := ""
		if l.Guard[name] != nil {
			v = *l.Guard[name]
		}
		values = append(values, v)
		// A value that is not empty is there: only an empty or an
		// absent one needs has-env.
		if v == "" {
			has = append(has, name)
			present = append(present, fmt.Sprintf("$%t", l.Guard[name] != nil))
		}
	}
	var kept, content []string
	for _, file := range l.Kept {
		data, ok := contentAt(file)
		if !ok || bytes.IndexByte(data, 0) >= 0 {
			return noLeaveElvish, nil
		}
		kept, content = append(kept, file.Path), append(content, string(data))
	}
	var set [][2]string
	var unset []string
	for _, name := range slices.Sorted(maps.Keys(l.Restore)) {
		if v := l.Restore[name]; v == nil {
			unset = append(unset, name)
		} else {
			set = append(set, [2]string{name, *v})
		}
	}
	var message []string
	if l.Message != "" {
		message = []string{l.Message}
	}
	var b strings.Builder
	b.WriteString("var _noxenv_leave = [")
	for _, f := range []struct {
		key   string
		words []string
	}{
		{"names", names}, {"values", values}, {"has", has}, {"kept", kept}, {"content", content},
		{"absent", append(append([]string{}, l.Missing...), l.Absent...)}, {"reload", l.Absent},
		{"files", l.Names}, {"watch", l.Watch}, {"unset", unset}, {"message", message},
	} {
		b.WriteString("\n  &" + f.key + "=[")
		for i, w := range f.words {
			q, err := shells.Quote("elvish", w)
			if err != nil {
				return "", err
			}
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(q)
		}
		b.WriteByte(']')
	}
	b.WriteString("\n  &present=[" + strings.Join(present, " ") + "]")
	b.WriteString("\n  &set=[")
	for i, kv := range set {
		v, err := shells.Quote("elvish", kv[1])
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("[" + kv[0] + " " + v + "]")
	}
	b.WriteString("]\n]\n")
	return b.String(), nil
}
