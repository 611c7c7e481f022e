package hook

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
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
// command, and returns whether the stand-in ran and the $? seen after.
func runHook(t *testing.T, shell, dir, check string) (called bool, status string) {
	t.Helper()
	tmp := t.TempDir()
	log := filepath.Join(tmp, "log")
	exe := filepath.Join(tmp, "no xenv's")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho \"$@\" >>\"$LOG\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, err := Snippet(shell, exe)
	if err != nil {
		t.Fatal(err)
	}
	code += check
	var cmd *exec.Cmd
	switch shell {
	case "bash":
		code += "false; _noxenv_hook; echo $?\n"
		cmd = exec.Command("bash", "--norc", "--noprofile", "-u", "-c", code)
	case "zsh":
		code += "false; _noxenv_hook; echo $?\n"
		cmd = exec.Command("zsh", "-f", "-u", "-c", code)
	case "fish":
		code += "false; _noxenv_hook; echo $status\n"
		cmd = exec.Command("fish", "--no-config", "-c", code)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LOG="+log, "PWD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	b, _ := os.ReadFile(log)
	if len(b) > 0 && string(b) != "export "+shell+"\n" {
		t.Errorf("%s: noxenv called with %q", shell, b)
	}
	return len(b) > 0, strings.TrimSpace(string(out))
}

// oddName is the working directory's name in TestFastPath: a newline, a
// byte that is not UTF-8 and shell syntax.
const oddName = "sub\n\xff $x '!"

// fastPathCases change what a FastPath saw, in dir: a watched file
// "watched file" of time seen, and absent files in dir/oddName.
var fastPathCases = []struct {
	name   string
	edit   func(fp *FastPath) // before it is rendered
	change func(t *testing.T, dir string)
	called bool
}{
	{"nothing changed", nil, nil, false},
	{"watched file rewritten with its time", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "watched file"), seen)
	}, false},
	{"watched file a nanosecond newer", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, "watched file"), seen.Add(time.Nanosecond))
	}, true},
	{"watched file replaced by an older one", nil, func(t *testing.T, dir string) {
		older := filepath.Join(dir, "older")
		touch(t, older, seen.Add(-time.Hour))
		if err := os.Rename(older, filepath.Join(dir, "watched file")); err != nil {
			t.Fatal(err)
		}
	}, true},
	{"watched file gone", nil, func(t *testing.T, dir string) {
		os.Remove(filepath.Join(dir, "watched file"))
	}, true},
	{"absent file appeared", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, oddName, ".noxprofile"), seen)
	}, true},
	{"stamps gone", nil, func(t *testing.T, dir string) {
		os.RemoveAll(filepath.Join(dir, "stamps"))
	}, true},
	{"watched file and stamps gone", nil, func(t *testing.T, dir string) {
		os.Remove(filepath.Join(dir, "watched file"))
		os.RemoveAll(filepath.Join(dir, "stamps"))
	}, true},
	{"another directory", func(fp *FastPath) {
		fp.Dir = filepath.Join(fp.Dir, "elsewhere")
	}, nil, true},
	{"stale", func(fp *FastPath) { fp.Stale = true }, nil, true},
	{"other files come and go", nil, func(t *testing.T, dir string) {
		touch(t, filepath.Join(dir, oddName, "busy"), time.Now())
	}, false},
}

// seen is the time of the watched file in fastPathCases: a fraction of a
// second that a shell comparing seconds only would lose.
var seen = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

func TestFastPath(t *testing.T) {
	for _, shell := range Shells {
		t.Run(shell, func(t *testing.T) {
			needShell(t, shell)
			if called, st := runHook(t, shell, t.TempDir(), ""); !called || st != "1" {
				t.Errorf("no fast path yet: called %v, $? %s; want called, 1", called, st)
			}
			for _, c := range fastPathCases {
				dir := t.TempDir()
				sub := filepath.Join(dir, oddName)
				if err := os.Mkdir(sub, 0o700); err != nil {
					t.Fatal(err)
				}
				watched := filepath.Join(dir, "watched file")
				touch(t, watched, seen)
				fp := FastPath{Dir: sub, Exist: []File{{watched, seen.UnixNano()}},
					Absent: []string{filepath.Join(sub, ".noxprofile"), filepath.Join(dir, "-a !")}}
				if c.edit != nil {
					c.edit(&fp)
				}
				check, err := fp.Render(shell, filepath.Join(dir, "stamps"))
				if err != nil {
					t.Fatal(err)
				}
				if c.change != nil {
					c.change(t, dir)
				}
				called, st := runHook(t, shell, sub, check)
				if called != c.called || st != "1" {
					t.Errorf("%s: called %v, $? %s; want called %v, $? 1", c.name, called, st, c.called)
				}
			}
		})
	}
}

func touch(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o600); err != nil {
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
	if _, err := Snippet("tcsh", "/bin/noxenv"); err == nil {
		t.Error("Snippet(tcsh) succeeds")
	}
	if _, err := (FastPath{}).Render("tcsh", t.TempDir()); err == nil {
		t.Error("Render(tcsh) succeeds")
	}
}
