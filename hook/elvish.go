package hook

import (
	"os"
	"strings"

	"github.com/noxenv/noxenv/shells"
)

// elvishSnippet runs before each prompt (edit:before-readline), after
// each line is read (edit:after-readline) and after each change of
// directory (after-chdir), first in each, keeping the hooks already there;
// evaluated again, it replaces its earlier self, which it finds by the
// comment in its code. So a cd loads the new directory's project before
// anything else runs there: a command after the cd on the same line
// (after-chdir), or the command typed after a directory chosen in location
// or navigation mode, where no prompt comes between (after-readline: while
// the editor reads a line, after-chdir only notes the cd, as what it
// printed would be drawn over, and after-readline runs the hook where one
// was noted, so that a line read costs no check); the prompt after a cd
// then takes the fast path.
// The export's code is evaluated and leaves its check in _noxenv_check, a
// function that throws when something changed (see renderElvish); $nil, which
// cannot be called, throws too. The hook tests it with try, not with
// if (not ?(...)): each output capture, (not ...) among them, costs elvish
// a pipe. elvish has no status to keep. An export that fails (a blocked
// project) still gives its code.
//
// Leaving a project, it runs _noxenv_leave-fn over the data the last
// export left in _noxenv_leave (see Leave.renderElvish): elvish compiles
// every closure an export's code defines, at some 15 µs a construct, so
// the export gives data only and the function is compiled once, here. It
// throws unless the shell can leave by itself ($nil data too); it gives the
// new check to the function it is called with. It reads whatever it
// compares in one output capture and splits the working directory in
// another.
const elvishSnippet = `use str
use path
var _noxenv_check = $nil
var _noxenv_leave = $nil
var _noxenv_leave-fn = {|l set-check|
  # An absolute directory: its first byte is /, or the lookup throws.
  nop [&/=$true][$E:PWD[0..1]]
  # The directories up from it, as prefixes: /a/b gives /a/b, /a and ""
  # (the root's files are /NAME); an empty component (//) repeats one.
  var dirs = ['']
  var p = ''
  for c [(str:split / $E:PWD)][1..] { set p = $p/$c; set dirs = [$p $@dirs] }
  var values present content = $l[values] $l[present] $l[content]
  var exp = [$@values $@present $@content]
  for a $l[absent] { set exp = [$@exp $false] }
  for d $dirs { for n $l[files] { set exp = [$@exp $false] } }
  nop [&$exp=$true][[(
    for n $l[names] { try { get-env $n } catch { put '' } }
    for n $l[has] { has-env $n }
    for f $l[kept] { slurp < $f }
    for f $l[absent] { path:is-regular &follow-symlink=$true $f }
    for d $dirs { for n $l[files] { path:is-regular &follow-symlink=$true $d/$n } }
  )]]
  for kv $l[set] { set-env $kv[0] $kv[1] }
  for n $l[unset] { unset-env $n }
  for m $l[message] { echo $m >&2 }
  var w = []
  for d $dirs { for n $l[watch] { set w = [$@w $false] } }
  for f $l[reload] { set w = [$@w $false] }
  var want = [&$E:PWD=[&$w=$true]]
  var watch = $l[watch]
  var reload = $l[reload]
  $set-check {|| nop $want[$E:PWD][[(
    for d $dirs { for n $watch { path:is-regular &follow-symlink=$true $d/$n } }
    for f $reload { path:is-regular &follow-symlink=$true $f }
  )]] }
}
var _noxenv_reading = $false
var _noxenv_moved = $false
var _noxenv_hook = {||
  # noxenv hook
  try { $_noxenv_check } catch {
    try {
      $_noxenv_leave-fn $_noxenv_leave {|c| set _noxenv_check = $c }
      set _noxenv_leave = $nil
    } catch {
      var code = (try { @NOXENV@ export elvish } catch { } | slurp)
      eval $code &on-end={|ns| set _noxenv_check = $ns[_noxenv_check]; set _noxenv_leave = $ns[_noxenv_leave] }
    }
  }
  # Run before a prompt, the editor reads next.
  set _noxenv_reading = $true
}
var _noxenv_others = {|hooks|
  each {|h|
    if (not (and (eq (kind-of $h) fn) (has-key $h def) (str:contains $h[def] '# noxenv hook'))) { put $h }
  } $hooks
}
set edit:before-readline = [$_noxenv_hook ($_noxenv_others $edit:before-readline)]
set edit:after-readline = [{|_|
  # noxenv hook
  if $_noxenv_moved {
    set _noxenv_moved = $false
    $_noxenv_hook
  }
  set _noxenv_reading = $false
} ($_noxenv_others $edit:after-readline)]
set after-chdir = [{|_|
  # noxenv hook
  if $_noxenv_reading {
    set _noxenv_moved = $true
  } else {
    # elvish sets $E:PWD after these hooks: the check and the export need it now.
    try { set-env PWD $pwd } catch { }
    $_noxenv_hook
    set _noxenv_reading = $false
  }
} ($_noxenv_others $after-chdir)]
`

// maxElvishContent is the largest watched file whose content the elvish
// check holds; a larger one makes the check fail, so the hook exports.
const maxElvishContent = 1 << 20

// renderElvish returns elvish code that defines _noxenv_check, a function
// that throws unless nothing changed: the same $E:PWD, each watched file
// holding the content the evaluation read, each watched directory (see
// watch_dir) still one, holding the names it held, no regular file where
// an absent one was. elvish 0.19 has no builtin that tells a file's time:
// content and names are what its builtins can compare without a process,
// so a change of time alone (touch, or a file replaced by one of the same
// content) is not seen at the prompt, only at the next export (another
// directory, another change). What is compared is read here and kept only
// if the file or directory still has the time the evaluation read, so
// that it is what was evaluated.
//
// What elvish spends most on at a prompt is output capture, a pipe each:
// the function reads everything in one, and compares without another, by
// looking the list of what it read up in a map whose only key is the list
// expected (a missing key throws). That map is itself the only value of a
// map keyed by the directory: elvish applies indices one after the other,
// so that after a cd the lookup of $E:PWD throws before any file is read.
// A directory's names come from a wildcard within a list, which captures
// no output.
func (f FastPath) renderElvish() (string, error) {
	if f.Stale {
		return "var _noxenv_check = $nil\n", nil
	}
	var reads, want []string
	for _, file := range f.Exist {
		read, w, ok := elvishWatch(file)
		if !ok {
			return "var _noxenv_check = $nil\n", nil
		}
		reads, want = append(reads, read), append(want, w)
	}
	for _, p := range f.Absent {
		reads, want = append(reads, "path:is-regular &follow-symlink=$true "+quoteElvish(p)), append(want, "$false")
	}
	got := ""
	if len(reads) > 0 {
		got = "(" + strings.Join(reads, "; ") + ")"
	}
	return "use path\nvar _noxenv_want = [&" + quoteElvish(f.Dir) + "=[&[" + strings.Join(want, " ") + "]=$true]]\n" +
		"var _noxenv_check = {|| nop $_noxenv_want[$E:PWD][[" + got + "]] }\n", nil
}

// elvishWatch returns the elvish code that reads what the check compares
// of a watched file, and the words it must give: a regular file's
// content, or a directory's being one and its names as elvish's wildcard
// gives them (sorted, hidden ones too), prefixed with the directory. It
// returns false for anything else, or what no longer has the time the
// evaluation read.
func elvishWatch(file File) (read, want string, ok bool) {
	fi, err := os.Stat(file.Path)
	if err != nil {
		return "", "", false
	}
	if !fi.IsDir() {
		data, ok := contentAt(file)
		return "slurp < " + quoteElvish(file.Path), quoteElvish(string(data)), ok
	}
	entries, err := os.ReadDir(file.Path)
	if err != nil {
		return "", "", false
	}
	if fi, err = os.Stat(file.Path); err != nil || fi.ModTime().UnixNano() != file.ModTime {
		return "", "", false
	}
	// The wildcard gives /NAME for the root, DIR/NAME for any other.
	prefix := strings.TrimSuffix(file.Path, "/")
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = quoteElvish(prefix + "/" + e.Name())
	}
	read = "path:is-dir &follow-symlink=$true " + quoteElvish(file.Path) +
		"; put [" + quoteElvish(prefix) + "/*[match-hidden][nomatch-ok]]"
	return read, "$true [" + strings.Join(names, " ") + "]", true
}

// quoteElvish quotes s, a path or a file's content, as one elvish word.
// A NUL byte, which shells.Quote refuses as no environment value can hold
// one, is written "\x00" between the quoted parts around it: elvish joins
// the parts of a compound word.
func quoteElvish(s string) string {
	parts := strings.Split(s, "\x00")
	for i, p := range parts {
		q, err := shells.Quote("elvish", p)
		if err != nil {
			panic(err) // holds no NUL
		}
		parts[i] = q
	}
	return strings.Join(parts, `"\x00"`)
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
