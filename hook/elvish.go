package hook

import (
	"bytes"
	"os"
	"strings"

	"github.com/noxenv/noxenv/shells"
)

// elvishSnippet runs before each prompt (edit:before-readline), first,
// keeping the hooks already there; evaluated again, it replaces its
// earlier self, which it finds by the comment in its code. The export's
// code is evaluated and leaves its check in _noxenv_check, a function
// that fails when something changed (see renderElvish); $nil, which
// cannot be called, fails too. elvish has no status to keep. An export
// that fails (a blocked project) still gives its code.
const elvishSnippet = `use str
var _noxenv_check = $nil
var _noxenv_hook = {||
  # noxenv hook
  if (not ?($_noxenv_check)) {
    var code = (try { @NOXENV@ export elvish } catch { } | slurp)
    eval $code &on-end={|ns| set _noxenv_check = $ns[_noxenv_check] }
  }
}
set edit:before-readline = [$_noxenv_hook (each {|h|
  if (not (and (eq (kind-of $h) fn) (has-key $h def) (str:contains $h[def] '# noxenv hook'))) { put $h }
} $edit:before-readline)]
`

// maxElvishContent is the largest watched file whose content the elvish
// check holds; a larger one makes the check fail, so the hook exports.
const maxElvishContent = 1 << 20

// renderElvish returns elvish code that defines _noxenv_check, a function
// that fails unless nothing changed: the same $E:PWD, each watched file
// holding the content the evaluation read, no regular file where an
// absent one was. elvish 0.19 has no builtin that tells a file's time:
// content is what its builtins can compare without a process, so a change
// of time alone (touch, or a file replaced by one of the same content) is
// not seen at the prompt, only at the next export (another directory,
// another change). The content is read here and kept only if the file
// still has the time the evaluation read, so that it is the content
// evaluated. The function reads everything in one command substitution
// and compares it in one eq of two lists: elvish's and over a command
// substitution each costs several times as much.
func (f FastPath) renderElvish() (string, error) {
	if f.Stale {
		return "var _noxenv_check = $nil\n", nil
	}
	q := func(s string) string {
		v, err := shells.Quote("elvish", s)
		if err != nil {
			panic(err) // paths and file contents hold no NUL
		}
		return v
	}
	var reads, want []string
	for _, file := range f.Exist {
		data, ok := contentAt(file)
		if !ok || bytes.IndexByte(data, 0) >= 0 {
			return "var _noxenv_check = $nil\n", nil
		}
		reads, want = append(reads, "slurp < "+q(file.Path)), append(want, q(string(data)))
	}
	for _, p := range f.Absent {
		reads, want = append(reads, "path:is-regular &follow-symlink=$true "+q(p)), append(want, "$false")
	}
	var b strings.Builder
	b.WriteString("use path\nvar _noxenv_check = {||\n  if (!=s $E:PWD " + q(f.Dir) + ") { fail changed }\n")
	b.WriteString("  if (not-eq [(" + strings.Join(reads, "; ") + ")] [" + strings.Join(want, " ") + "]) { fail changed }\n}\n")
	return b.String(), nil
}

// contentAt returns the content of file's path when it is a regular file
// of at most maxElvishContent bytes that still has file's time after
// being read.
func contentAt(file File) ([]byte, bool) {
	fi, err := os.Stat(file.Path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxElvishContent {
		return nil, false
	}
	data, err := os.ReadFile(file.Path)
	if err != nil {
		return nil, false
	}
	fi, err = os.Stat(file.Path)
	return data, err == nil && fi.ModTime().UnixNano() == file.ModTime
}
