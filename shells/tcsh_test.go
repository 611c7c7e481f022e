package shells

import (
	"os"
	"os/exec"
	"path/filepath"
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
