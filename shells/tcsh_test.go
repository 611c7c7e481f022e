package shells

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTcshFrameKeepsSettings: with the user's own history characters or
// backslash_quote set, every value still reaches tcsh exactly, and both
// settings are as they were after the code ran.
func TestTcshFrameKeepsSettings(t *testing.T) {
	needShell(t, "tcsh")
	envPath, err := exec.LookPath("env")
	if err != nil {
		t.Fatal(err)
	}
	changes := Changes{"GONE": nil, "ALSO_GONE": nil}
	for i, v := range trickyValues {
		changes["V"+strings.Repeat("x", i)] = &v
	}
	code, err := Render("tcsh", changes)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ setup, want string }{
		{"", "0 0"},
		{"set histchars = ',;'", "1 0 ,;"},
		{`set histchars = '\!^'`, "1 0 !^"},
		{"set backslash_quote", "0 1"},
		{"set histchars = '%,'; set backslash_quote", "1 1 %,"},
	} {
		dir := t.TempDir()
		file, state := filepath.Join(dir, "code"), filepath.Join(dir, "state")
		if err := os.WriteFile(file, []byte(code), 0o600); err != nil {
			t.Fatal(err)
		}
		script := c.setup + "\nsource $argv[1]:q\n" +
			`if ( $?histchars ) then
echo $?histchars $?backslash_quote $histchars:q >$argv[3]:q
else
echo $?histchars $?backslash_quote >$argv[3]:q
endif
exec $argv[2]:q -0
`
		cmd := exec.Command("tcsh", "-f", "-c", script, file, envPath, state)
		cmd.Env = append(baseEnv("C.UTF-8"), "ALSO_GONE=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%q: %v", c.setup, err)
		}
		got := map[string]string{}
		for _, kv := range strings.Split(string(out), "\x00") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				got[k] = v
			}
		}
		for name, want := range changes {
			if v, ok := got[name]; want == nil && ok || want != nil && v != *want {
				t.Errorf("%q: %s is %q (set %v), want %v", c.setup, name, v, ok, want)
			}
		}
		if b, _ := os.ReadFile(state); strings.TrimSpace(string(b)) != c.want {
			t.Errorf("%q: after the code $?histchars $?backslash_quote $histchars: %q, want %q", c.setup, b, c.want)
		}
	}
}

// TestTcshLocale: tcsh encodes its whole environment again at each
// change, in the locale of the moment. A project that switches the
// shell's UTF-8 locale for C, and leaving it, keep every byte of the
// user's and the project's values; so does the other way round.
func TestTcshLocale(t *testing.T) {
	needShell(t, "tcsh")
	envPath, err := exec.LookPath("env")
	if err != nil {
		t.Fatal(err)
	}
	user := "caf\u00e9 \u20ac \xff"
	for _, c := range []struct{ shell, project string }{{"C.UTF-8", "C"}, {"C", "C.UTF-8"}} {
		enter := Changes{"LC_ALL": ptr(c.project), "NOXENV_DIR": ptr("/p"), "V": ptr(user), "PATH": ptr("/p/bin:" + os.Getenv("PATH"))}
		leave := Changes{"LC_ALL": ptr(c.shell), "NOXENV_DIR": nil, "V": nil, "PATH": ptr(os.Getenv("PATH"))}
		if c.shell == "C.UTF-8" {
			leave["LC_ALL"] = nil // the user's locale is LANG's
		}
		dir := t.TempDir()
		var files []string
		for i, ch := range []Changes{enter, leave} {
			code, err := Render("tcsh", ch)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, filepath.Join(dir, strconv.Itoa(i)))
			if err := os.WriteFile(files[i], []byte(code), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		in := filepath.Join(dir, "in")
		// Not exec, which encodes the environment again.
		script := "source $argv[1]:q\n$argv[3]:q -0 >$argv[4]:q\nsource $argv[2]:q\n$argv[3]:q -0\n"
		cmd := exec.Command("tcsh", "-f", "-c", script, files[0], files[1], envPath, in)
		cmd.Env = []string{"HOME=/nonexistent", "LANG=C.UTF-8", "X=" + user, "PATH=" + os.Getenv("PATH")}
		if c.shell != "C.UTF-8" {
			cmd.Env = append(cmd.Env, "LC_ALL="+c.shell)
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", c.shell, err)
		}
		inside, _ := os.ReadFile(in)
		for _, e := range []struct {
			where, env string
			want       map[string]string
		}{
			{"in the project", string(inside), map[string]string{"X": user, "V": user, "LC_ALL": c.project}},
			{"after it", string(out), map[string]string{"X": user}},
		} {
			got := map[string]string{}
			for _, kv := range strings.Split(e.env, "\x00") {
				if k, v, ok := strings.Cut(kv, "="); ok {
					got[k] = v
				}
			}
			for name, want := range e.want {
				if got[name] != want {
					t.Errorf("shell in %s, project in %s, %s: %s is %q, want %q", c.shell, c.project, e.where, name, got[name], want)
				}
			}
		}
	}
}
