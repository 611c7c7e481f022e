package hook

import (
	"os"
	"os/exec"
	"path/filepath"
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
// that it ran, sets the fast path, runs the hook once after a failing
// command, and returns whether the stand-in ran and the $? seen after.
func runHook(t *testing.T, shell, dir string, fp *FastPath) (called bool, status string) {
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
	if fp != nil {
		v, err := fp.Render(shell)
		if err != nil {
			t.Fatal(err)
		}
		code += v
	}
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

func TestFastPath(t *testing.T) {
	stampTime := StampTime(time.Now())
	old := stampTime.Add(-time.Hour)
	cases := []struct {
		name   string
		change func(t *testing.T, dir string, fp *FastPath)
		called bool
	}{
		{"nothing changed", func(*testing.T, string, *FastPath) {}, false},
		{"watched file as old as the stamp", func(t *testing.T, dir string, _ *FastPath) {
			touch(t, filepath.Join(dir, "watched file"), stampTime)
		}, false},
		{"watched file newer", func(t *testing.T, dir string, _ *FastPath) {
			touch(t, filepath.Join(dir, "watched file"), stampTime.Add(time.Millisecond))
		}, true},
		{"watched file gone", func(t *testing.T, dir string, _ *FastPath) {
			os.Remove(filepath.Join(dir, "watched file"))
		}, true},
		{"absent file appeared", func(t *testing.T, dir string, _ *FastPath) {
			touch(t, filepath.Join(dir, oddName, ".noxprofile"), old)
		}, true},
		{"stamp gone", func(t *testing.T, dir string, fp *FastPath) {
			os.Remove(fp.Stamp)
		}, true},
		{"another directory", func(t *testing.T, dir string, fp *FastPath) {
			fp.Dir = filepath.Join(dir, "elsewhere")
		}, true},
		{"other files come and go", func(t *testing.T, dir string, fp *FastPath) {
			touch(t, filepath.Join(dir, oddName, "busy"), time.Now())
		}, false},
	}
	for _, shell := range Shells {
		t.Run(shell, func(t *testing.T) {
			needShell(t, shell)
			if called, st := runHook(t, shell, t.TempDir(), nil); !called || st != "1" {
				t.Errorf("no fast path yet: called %v, $? %s; want called, 1", called, st)
			}
			for _, c := range cases {
				dir := t.TempDir()
				sub := filepath.Join(dir, oddName)
				if err := os.Mkdir(sub, 0o700); err != nil {
					t.Fatal(err)
				}
				stamp, err := Stamp(filepath.Join(dir, "stamps"), stampTime)
				if err != nil {
					t.Fatal(err)
				}
				watched := filepath.Join(dir, "watched file")
				touch(t, watched, old)
				fp := FastPath{Dir: sub, Stamp: stamp, Exist: []string{watched},
					Absent: []string{filepath.Join(sub, ".noxprofile"), filepath.Join(dir, "-a !")}}
				c.change(t, dir, &fp)
				called, st := runHook(t, shell, sub, &fp)
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
	now := time.Now()
	st := StampTime(now)
	if !st.Before(now.Add(-time.Second)) && !st.Equal(now.Truncate(time.Second).Add(-time.Second)) {
		t.Errorf("StampTime(%v) = %v", now, st)
	}
	p, err := Stamp(dir, st)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || !fi.ModTime().Equal(st) {
		t.Fatalf("stamp %s: %v, %v; want mtime %v", p, fi.ModTime(), err, st)
	}
	// An existing stamp is kept as it is; a week-old one is removed when a
	// new one is made.
	oldStamp, err := Stamp(dir, st.Add(-8*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p2, err := Stamp(dir, st); err != nil || p2 != p {
		t.Errorf("Stamp again = %s, %v; want %s", p2, err, p)
	}
	if _, err := Stamp(dir, st.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(oldStamp); !os.IsNotExist(err) {
		t.Errorf("old stamp %s kept: %v", oldStamp, err)
	}
}

func TestReload(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hook")
	before := time.Now().Add(-time.Second)
	for i := 0; i < 2; i++ {
		if err := Reload(dir); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(ReloadFile(dir))
		if err != nil || fi.ModTime().Before(before) {
			t.Fatalf("reload file: %v, %v", fi, err)
		}
	}
}

func TestSnippetUnknownShell(t *testing.T) {
	if _, err := Snippet("tcsh", "/bin/noxenv"); err == nil {
		t.Error("Snippet(tcsh) succeeds")
	}
	if _, err := (FastPath{}).Render("tcsh"); err == nil {
		t.Error("Render(tcsh) succeeds")
	}
}
