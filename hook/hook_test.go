package hook

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/shells"
)

func needShell(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("NOXENV_REQUIRE_SHELLS") == "1" {
			t.Fatalf("%s is required (NOXENV_REQUIRE_SHELLS=1) but not on PATH", name)
		}
		t.Skipf("%s not on PATH", name)
	}
}

// runHook loads the snippet with a stand-in for noxenv that only records
// that it ran, runs check (a rendered FastPath), runs the hook once after a failing
// runHook loads the snippet with a stand-in for noxenv that only records
// that it ran, runs check (a rendered FastPath) as the hook would, runs the
// hook once after a failing command, and returns whether the stand-in ran
// and the $? seen after (bash, zsh and fish: tcsh keeps $status across
// precmd itself, and elvish has none; see statusKept).
func runHook(t *testing.T, shell, dir, check string) (called bool, status string) {
	t.Helper()
	return runHookThen(t, shell, dir, check, nil, "")
}

// runHookThen is runHook with env added to the shell's environment, and
// then, code for shell, run after the hook (bash, zsh, fish, elvish).
func runHookThen(t *testing.T, shell, dir, check string, env []string, then string) (called bool, out string) {
	t.Helper()
	tmp := t.TempDir()
	log := filepath.Join(tmp, "log")
	exe := filepath.Join(tmp, "no xenv's!")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho \"$@\" >>\"$LOG\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, err := Snippet(shell, exe, filepath.Join(tmp, "hook dir"))
	if err != nil {
		t.Fatal(err)
	}
	checkFile := filepath.Join(tmp, "check")
	if err := os.WriteFile(checkFile, []byte(shells.Frame(shell, check)), 0o600); err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	switch shell {
	case "bash":
		code += check + "false; _noxenv_hook; echo $?\n" + then
		cmd = exec.Command("bash", "--norc", "--noprofile", "-u", "-c", code)
	case "zsh":
		code += check + "false; _noxenv_hook; echo $?\n" + then
		cmd = exec.Command("zsh", "-f", "-u", "-c", code)
	case "fish":
		code += check + "false; _noxenv_hook; echo $status\n" + then
		cmd = exec.Command("fish", "--no-config", "-c", code)
	case "tcsh":
		code += "source $argv[1]:q\n_noxenv_hook\n"
		cmd = exec.Command("tcsh", "-f", "-c", code, checkFile)
	case "elvish":
		// Outside an interactive elvish there is no edit: module.
		code = "var edit: = (ns [&before-readline=[] &after-readline=[]])\n" + code +
			"eval (slurp < $args[0]) &on-end={|ns| set _noxenv_check = $ns[_noxenv_check]; set _noxenv_leave = $ns[_noxenv_leave] }\n$edit:before-readline[0]\n" + then
		cmd = exec.Command("elvish", "-norc", "-c", code, checkFile)
	}
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "LOG="+log, "PWD="+dir), env...)
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, output)
	}
	b, _ := os.ReadFile(log)
	if len(b) > 0 && string(b) != "export "+shell+"\n" {
		t.Errorf("%s: noxenv called with %q", shell, b)
	}
	return len(b) > 0, strings.TrimSpace(string(output))
}

// oddName is the working directory's name in TestFastPath: a newline, a
// byte that is not UTF-8 and shell syntax.
const oddName = "sub\n\xff $x '!"

// fastPathCases change what a FastPath saw, in dir: a watched file
// "watched file" of time seen, and absent files in dir/oddName. Each
// case says whether the hook exports after it, but in the shells of
// unlike, where it is the other way.
var fastPathCases = []struct {
	name   string
	edit   func(t *testing.T, fp *FastPath) // before it is rendered
	change func(t *testing.T, dir string)
	called bool
	unlike []string
}{
	{"nothing changed", nil, nil, false, nil},
	{"watched file rewritten with its content and time", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "watched file"), seenContent, seen)
	}, false, nil},
	// tcsh compares whole seconds (within a second, a write gets no time
	// set by hand, see File.Seconds); elvish compares content.
	{"watched file a nanosecond newer", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "watched file"), seenContent, seen.Add(time.Nanosecond))
	}, true, []string{"tcsh", "elvish"}},
	{"watched file an hour older", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "watched file"), seenContent, seen.Add(-time.Hour))
	}, true, []string{"elvish"}},
	{"watched file replaced by an older one", nil, func(t *testing.T, dir string) {
		older := filepath.Join(dir, "older")
		touch(t, older, "older", seen.Add(-time.Hour))
		if err := os.Rename(older, filepath.Join(dir, "watched file")); err != nil {
			t.Fatal(err)
		}
	}, true, nil},
	{"watched file rewritten, its time kept", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "watched file"), "other", seen)
	}, false, []string{"elvish"}},
	{"watched file gone", nil, func(t *testing.T, dir string) {
		os.Remove(filepath.Join(dir, "watched file"))
	}, true, nil},
	{"absent file appeared", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, oddName, ".noxprofile"), "", seen)
	}, true, nil},
	{"stamps gone", nil, func(t *testing.T, dir string) {
		os.RemoveAll(filepath.Join(dir, "stamps"))
	}, true, []string{"tcsh", "elvish"}},
	{"watched file and stamps gone", nil, func(t *testing.T, dir string) {
		os.Remove(filepath.Join(dir, "watched file"))
		os.RemoveAll(filepath.Join(dir, "stamps"))
	}, true, nil},
	{"another directory", func(_ *testing.T, fp *FastPath) {
		fp.Dir = filepath.Join(fp.Dir, "elsewhere")
	}, nil, true, nil},
	{"stale", func(_ *testing.T, fp *FastPath) { fp.Stale = true }, nil, true, nil},
	{"a second not yet over", func(_ *testing.T, fp *FastPath) { fp.Exist[0].Seconds = false }, nil, false, []string{"tcsh"}},
	{"other files come and go", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, oddName, "busy"), "", time.Now())
	}, false, nil},
	// watch_dir: a directory is watched with everything in it.
	{"watched directories unchanged", watchDirs, nil, false, nil},
	{"file made in a watched directory", watchDirs, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, oddName, "new"), "", seen)
	}, true, nil},
	{"hidden file renamed in a watched directory", watchDirs, func(t *testing.T, dir string) {
		if err := os.Rename(filepath.Join(dir, oddName, ".hidden"), filepath.Join(dir, oddName, ".other")); err != nil {
			t.Fatal(err)
		}
	}, true, nil},
	{"watched empty directory gone", watchDirs, func(t *testing.T, dir string) {
		if err := os.Remove(filepath.Join(dir, "empty")); err != nil {
			t.Fatal(err)
		}
	}, true, nil},
	{"watched file holding a NUL byte unchanged", nulContent, nil, false, nil},
	{"watched file holding a NUL byte rewritten, its time kept", nulContent, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "watched file"), "nul\x00Nul", seen)
	}, false, []string{"elvish"}},
}

// watchDirs watches, as watch_dir does, the working directory (with a
// hidden file in it) and an empty directory beside it, both of time seen.
func watchDirs(t *testing.T, fp *FastPath) {
	touch(t, filepath.Join(fp.Dir, ".hidden"), "", seen)
	for _, d := range []string{filepath.Join(filepath.Dir(fp.Dir), "empty"), fp.Dir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(d, seen, seen); err != nil {
			t.Fatal(err)
		}
		fp.Exist = append(fp.Exist, File{Path: d, ModTime: seen.UnixNano(), Seconds: true})
	}
}

// nulContent makes the watched file hold a NUL byte, as a binary file
// does.
func nulContent(t *testing.T, fp *FastPath) {
	touch(t, fp.Exist[0].Path, "nul\x00nul", seen)
}

// seenContent is the watched file's content in fastPathCases: elvish
// compares it byte for byte.
const seenContent = "seen \xff\n'\"$x\\ \u200b"

// seen is the time of the watched file in fastPathCases: a fraction of a
// second that a shell comparing seconds only would lose.
var seen = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

func TestFastPath(t *testing.T) {
	for _, shell := range Shells {
		t.Run(shell, func(t *testing.T) {
			needShell(t, shell)
			if called, st := runHook(t, shell, t.TempDir(), ""); !called || !statusKept(shell, st) {
				t.Errorf("no fast path yet: called %v, $? %s; want called, $? kept", called, st)
			}
			for _, c := range fastPathCases {
				dir := t.TempDir()
				sub := filepath.Join(dir, oddName)
				if err := os.Mkdir(sub, 0o700); err != nil {
					t.Fatal(err)
				}
				watched := filepath.Join(dir, "watched file")
				touch(t, watched, seenContent, seen)
				fp := FastPath{Dir: sub, Exist: []File{{watched, seen.UnixNano(), true, ""}},
					Absent: []string{filepath.Join(sub, ".noxprofile"), filepath.Join(dir, "-a !")}}
				if c.edit != nil {
					c.edit(t, &fp)
				}
				check, err := fp.Render(shell, filepath.Join(dir, "stamps"))
				if err != nil {
					t.Fatal(err)
				}
				if c.change != nil {
					c.change(t, dir)
				}
				want := c.called != slices.Contains(c.unlike, shell)
				called, st := runHook(t, shell, sub, check)
				if called != want || !statusKept(shell, st) {
					t.Errorf("%s: called %v, $? %s; want called %v, $? kept", c.name, called, st, want)
				}
			}
		})
	}
}

// TestFastPathLink: a watched symbolic link leading to another file is a
// change, even to a file of the very same time and size; its target
// rewritten keeping its time is not, but to elvish, which compares
// content.
func TestFastPathLink(t *testing.T) {
	for _, shell := range Shells {
		t.Run(shell, func(t *testing.T) {
			needShell(t, shell)
			for _, c := range []struct {
				name   string
				change func(t *testing.T, dir string)
				called bool
			}{
				{"nothing changed", func(*testing.T, string) {}, false},
				{"target rewritten, its time kept", func(t *testing.T, dir string) {
					touch(t, filepath.Join(dir, "a"), "c", seen)
				}, shell == "elvish"},
				{"pointed at a file of the same time", func(t *testing.T, dir string) {
					os.Remove(filepath.Join(dir, "link"))
					os.Symlink("b", filepath.Join(dir, "link"))
				}, true},
			} {
				dir := t.TempDir()
				touch(t, filepath.Join(dir, "a"), "a", seen)
				touch(t, filepath.Join(dir, "b"), "b", seen)
				if err := os.Symlink("a", filepath.Join(dir, "link")); err != nil {
					t.Fatal(err)
				}
				fp := FastPath{Dir: dir, Exist: []File{{filepath.Join(dir, "link"), seen.UnixNano(), true, filepath.Join(dir, "a")}}}
				check, err := fp.Render(shell, filepath.Join(dir, "stamps"))
				if err != nil {
					t.Fatal(err)
				}
				c.change(t, dir)
				if called, _ := runHook(t, shell, dir, check); called != c.called {
					t.Errorf("%s: called %v, want %v", c.name, called, c.called)
				}
			}
		})
	}
}

// statusKept reports whether the hook kept the failing command's status,
// where the hook keeps it (bash, fish), and returned 0 in zsh, which keeps
// it for each precmd and chpwd function itself: a status returned again
// would run the user's ZERR trap again.
func statusKept(shell, out string) bool {
	switch shell {
	case "tcsh", "elvish":
		return true
	case "zsh":
		return out == "0"
	}
	return out == "1"
}

func touch(t *testing.T, path, content string, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestStamp(t *testing.T) {
	dir := t.TempDir()
	p, ok, err := Stamp(dir, seen)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	fi, err := os.Stat(p)
	if err != nil || !fi.ModTime().Equal(seen) {
		t.Fatalf("stamp %s: %v, %v; want mtime %v", p, fi.ModTime(), err, seen)
	}
	if p2, _, err := Stamp(dir, seen); err != nil || p2 != p {
		t.Errorf("Stamp again = %s, %v; want %s", p2, err, p)
	}
	// Days of stamps older than a week are removed when a day is begun.
	today := filepath.Base(filepath.Dir(p))
	n, _ := strconv.Atoi(today)
	week, old := filepath.Join(dir, strconv.Itoa(n-stampDays)), filepath.Join(dir, strconv.Itoa(n-stampDays-1))
	for _, d := range []string{week, old} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.RemoveAll(filepath.Dir(p))
	if _, _, err := Stamp(dir, seen); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stamps of %d days ago kept: %v", stampDays+1, err)
	}
	if _, err := os.Stat(week); err != nil {
		t.Errorf("stamps of %d days ago removed: %v", stampDays, err)
	}
}

func TestReload(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hook")
	var last []byte
	var lastTime time.Time
	for i := 0; i < 2; i++ {
		if err := Reload(dir); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(ReloadFile(dir))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(ReloadFile(dir))
		if i > 0 && (string(b) == string(last) || fi.ModTime().Equal(lastTime)) {
			t.Errorf("reload again left the file as it was: %q, %v", b, fi.ModTime())
		}
		last, lastTime = b, fi.ModTime()
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("reload leaves %d files", len(entries))
	}
}

func TestSnippetUnknownShell(t *testing.T) {
	if _, err := Snippet("csh", "/bin/noxenv", t.TempDir()); err == nil {
		t.Error("Snippet(csh) succeeds")
	}
	if _, err := (FastPath{}).Render("csh", t.TempDir()); err == nil {
		t.Error("Render(csh) succeeds")
	}
}

// TestBashTrap checks that bash's hook ignores INT while the export runs
// and gives the user's INT trap back exactly, or none where there was none;
// that where its file cannot be written it exports still, quietly, with
// the trap as it is; and that under set -e a status that set -e let
// through does not end the shell.
func TestBashTrap(t *testing.T) {
	needShell(t, "bash")
	tmp := t.TempDir()
	exe := filepath.Join(tmp, "noxenv")
	// The export's code shows the INT trap it runs under.
	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho 'trap -p INT; echo exported'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "hook dir")
	code, err := Snippet("bash", exe, dir)
	if err != nil {
		t.Fatal(err)
	}
	const user = `trap -- 'echo "it'\''s"' SIGINT`
	for _, c := range []struct {
		name, trap, during string
		gone               bool
	}{
		{"user's trap", user, "trap -- '' SIGINT", false},
		{"no trap", "", "trap -- '' SIGINT", false},
		{"file not written", user, user, true},
	} {
		if c.gone {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}
		script := "set -eu\n" + c.trap + "\n" + code + "false && true\n_noxenv_hook\necho \"$?\"\ntrap -p INT\n"
		out, err := exec.Command("bash", "--norc", "--noprofile", "-c", script).CombinedOutput()
		want := strings.Join(slices.DeleteFunc([]string{c.during, "exported", "0", c.trap}, func(s string) bool { return s == "" }), "\n") + "\n"
		if err != nil || string(out) != want {
			t.Errorf("%s: %v\n%s\nwant\n%s", c.name, err, out, want)
		}
	}
	// The file is written over, not truncated: a shorter trap after a
	// longer one is given back as it is, not with the longer one's tail.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	script := "trap 'echo a much longer trap than the next one' INT\n" + code +
		"_noxenv_hook >/dev/null\ntrap 'echo b' INT\n_noxenv_hook >/dev/null\ntrap -p INT\n"
	out, err := exec.Command("bash", "--norc", "--noprofile", "-c", script).CombinedOutput()
	if want := "trap -- 'echo b' SIGINT\n"; err != nil || string(out) != want {
		t.Errorf("a shorter trap after a longer one: %v\n%s\nwant\n%s", err, out, want)
	}
}
