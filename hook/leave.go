package hook

import (
	"fmt"
	"sort"
	"strings"

	"github.com/noxenv/noxenv/shells"
)

// render returns the code that defines _noxenv_leave in shell: a function
// (elvish: a closure) that leaves the project as l says, or fails (elvish:
// throws) so that the hook exports. A nil l, outside any project, always
// fails, as does one whose files' times no stamp in stampDir can carry.
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

// renderElvish returns l as elvish's _noxenv_leave: a closure that throws
// unless it leaves, and then gives the new check (see renderElvish of
// FastPath) to the function it is called with. Kept files are compared by
// content, as elvish's check does. elvish spends most on output captures,
// a pipe each (a condition such as (eq ...) is one too), and then on
// each call: the closure makes two captures, one to split the working
// directory and one that reads whether the guarded variables of no value
// or an empty one are there, the files and the project files of every
// directory up from it, looked up with the variables' values in a map
// whose only key is the list expected, as the check does.
func (l *Leave) renderElvish() (string, error) {
	q := func(s string) (string, error) { return shells.Quote("elvish", s) }
	names, err := l.guardNames()
	if err != nil {
		return "", err
	}
	var values, present, reads, want []string
	for _, name := range names {
		v := ""
		if l.Guard[name] != nil {
			v = *l.Guard[name]
		}
		w, err := q(v)
		if err != nil {
			return "", err
		}
		values, want = append(values, "$E:"+name), append(want, w)
		// A value that is not empty is there: only an empty or an
		// absent one needs has-env, a call.
		if v == "" {
			present = append(present, fmt.Sprintf("$%t", l.Guard[name] != nil))
			reads = append(reads, "has-env "+name)
		}
	}
	want = append(want, present...)
	for _, file := range l.Kept {
		data, ok := contentAt(file)
		if !ok || strings.IndexByte(string(data), 0) >= 0 {
			return noLeaveElvish, nil
		}
		p, err := q(file.Path)
		if err != nil {
			return "", err
		}
		w, err := q(string(data))
		if err != nil {
			return "", err
		}
		reads, want = append(reads, "slurp < "+p), append(want, w)
	}
	var absent []string
	for i, path := range append(append([]string{}, l.Missing...), l.Absent...) {
		p, err := q(path)
		if err != nil {
			return "", err
		}
		reads, want = append(reads, "path:is-regular &follow-symlink=$true "+p), append(want, "$false")
		if i >= len(l.Missing) {
			absent = append(absent, "path:is-regular &follow-symlink=$true "+p)
		}
	}
	list := func(ns []string) (string, error) {
		var ws []string
		for _, n := range ns {
			w, err := q(n)
			if err != nil {
				return "", err
			}
			ws = append(ws, w)
		}
		return "[" + strings.Join(ws, " ") + "]", nil
	}
	found, err := list(l.Names)
	if err != nil {
		return "", err
	}
	watch, err := list(l.Watch)
	if err != nil {
		return "", err
	}
	restore, err := shells.Render("elvish", l.Restore)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("use path\nuse str\n")
	b.WriteString("var _noxenv_leave = {|set-check|\n")
	// An absolute directory: its first byte is /, or the lookup throws.
	b.WriteString("  nop [&/=$true][$E:PWD[0..1]]\n")
	// The directories from the working one up, as prefixes: /a/b gives
	// /a/b, /a and "" (the root's files are /NAME); an empty component
	// (//) only repeats a directory.
	b.WriteString("  var dirs = ['']\n  var p = ''\n")
	b.WriteString("  for c [(str:split / $E:PWD)][1..] { set p = $p/$c; set dirs = [$p $@dirs] }\n")
	b.WriteString("  var exp = [" + strings.Join(want, " ") + "]\n")
	b.WriteString("  for d $dirs { set exp = [$@exp" + strings.Repeat(" $false", len(l.Names)) + "] }\n")
	b.WriteString("  nop [&$exp=$true][[" + strings.Join(values, " ") + " (" + strings.Join(reads, "; ") +
		"; for d $dirs { for n " + found + " { path:is-regular &follow-symlink=$true $d/$n } })]]\n")
	b.WriteString(indent(restore))
	if l.Message != "" {
		m, err := q(l.Message)
		if err != nil {
			return "", err
		}
		b.WriteString("  echo " + m + " >&2\n")
	}
	// The check of the directory left for: the same $E:PWD, no project
	// file in it or above, the reload file still absent.
	b.WriteString("  var w = [$E:PWD]\n")
	b.WriteString("  for d $dirs { set w = [$@w" + strings.Repeat(" $false", len(l.Watch)) + "] }\n")
	b.WriteString("  var want = [&[$@w" + strings.Repeat(" $false", len(absent)) + "]=$true]\n")
	b.WriteString("  $set-check {|| nop $want[[$E:PWD (for d $dirs { for n " + watch + " { path:is-regular &follow-symlink=$true $d/$n } }")
	for _, a := range absent {
		b.WriteString("; " + a)
	}
	b.WriteString(")]] }\n}\n")
	return b.String(), nil
}

// indent indents each line of code by two spaces.
func indent(code string) string {
	if code == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(strings.TrimSuffix(code, "\n"), "\n", "\n  ") + "\n"
}
