package shells

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// shellArgv runs a file of rendered code the way the hook does (eval of a
// command substitution, fish's and tcsh's source, elvish's eval of the
// slurped code) and then prints the whole
// environment with env -0.
func shellArgv(t *testing.T, shell, file, env string) []string {
	switch shell {
	case "bash":
		return []string{"bash", "--norc", "--noprofile", "-c", `eval "$(cat "$1")"; exec "$2" -0`, "bash", file, env}
	case "zsh":
		return []string{"zsh", "-f", "-c", `eval "$(cat "$1")"; exec "$2" -0`, "zsh", file, env}
	case "fish":
		return []string{"fish", "--no-config", "-c", `source $argv[1]; exec $argv[2] -0`, file, env}
	case "tcsh":
		return []string{"tcsh", "-f", "-c", `source $argv[1]:q; exec $argv[2]:q -0`, file, env}
	case "elvish":
		return []string{"elvish", "-norc", "-c", `eval (slurp < $args[0]); exec $args[1] -0`, file, env}
	}
	t.Fatalf("no argv for shell %s", shell)
	return nil
}

// needShell returns the shell's path, skipping the test when it is missing
// unless NOXENV_REQUIRE_SHELLS=1 (as in CI), which makes it a failure.
func needShell(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("NOXENV_REQUIRE_SHELLS") == "1" {
			t.Fatalf("%s is required (NOXENV_REQUIRE_SHELLS=1) but not on PATH", name)
		}
		t.Skipf("%s not on PATH", name)
	}
}

// roundTrip renders changes for shell, applies them in the real shell
// started with the environment base, and checks that the resulting
// environment is, byte for byte, the one the shell ends with when it runs
// no code, with exactly the changed values.
func roundTrip(t *testing.T, shell string, base []string, changes Changes) {
	t.Helper()
	needShell(t, shell)
	code, err := Render(shell, changes)
	if err != nil {
		t.Fatal(err)
	}
	got, stderr := runCode(t, shell, base, code)
	before := shellEnv(t, shell, base)
	for name, v := range before {
		if _, changed := changes[name]; changed {
			continue
		}
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("%s: %s, which the code does not change, is %q (set %v), want %q\ncode:\n%s", shell, name, g, ok, v, code)
		}
	}
	for name, v := range got {
		if _, changed := changes[name]; !changed {
			if _, ok := before[name]; !ok {
				t.Errorf("%s: %s=%q, which the code does not set, appeared\ncode:\n%s", shell, name, v, code)
			}
		}
	}
	for name, want := range changes {
		v, ok := got[name]
		if shell == "fish" && want != nil && (name == "PATH" || name == "CDPATH") {
			w := fishPath(*want)
			want = &w
		}
		switch {
		case want == nil && ok:
			t.Errorf("%s: %s is %q, want it unset\ncode:\n%s", shell, name, v, code)
		case want != nil && !ok:
			t.Errorf("%s: %s is unset, want %q\ncode:\n%s", shell, name, *want, code)
		case want != nil && v != *want:
			t.Errorf("%s: %s is %q, want %q\ncode:\n%s", shell, name, v, *want, code)
		}
	}
	if stderr != "" {
		t.Errorf("%s: stderr: %s", shell, stderr)
	}
}

// runCode runs code in shell, started with the environment base, the way
// the hook does, and returns the environment it ends with and its
// standard error.
func runCode(t *testing.T, shell string, base []string, code string) (map[string]string, string) {
	t.Helper()
	envPath, err := exec.LookPath("env")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "code")
	if err := os.WriteFile(file, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	argv := shellArgv(t, shell, file, envPath)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = base
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s\ncode:\n%s", shell, err, stderr.String(), code)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(out), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env, stderr.String()
}

// shellEnvs keeps the environment each shell ends with when it runs no
// code, by shell and base environment.
var shellEnvs sync.Map

// shellEnv returns the environment shell ends with when it runs no code,
// started with the environment base (its own variables added: PWD, SHLVL).
func shellEnv(t *testing.T, shell string, base []string) map[string]string {
	t.Helper()
	key := shell + "\x00" + strings.Join(base, "\x00")
	if env, ok := shellEnvs.Load(key); ok {
		return env.(map[string]string)
	}
	env, _ := runCode(t, shell, base, "")
	shellEnvs.Store(key, env)
	return env
}

// fishPath is what fish makes of a PATH or CDPATH value: it stores an empty
// entry as ".".
func fishPath(v string) string {
	list := strings.Split(v, ":")
	for i, e := range list {
		if e == "" {
			list[i] = "."
		}
	}
	return strings.Join(list, ":")
}

// baseEnv is the environment the shells start with: with a variable of
// the user's that no code changes, of bytes some shells could re-encode.
func baseEnv(locale string) []string {
	return []string{"HOME=/nonexistent", "LANG=" + locale, "LC_ALL=" + locale, "GONE=1", "PATH=" + os.Getenv("PATH"),
		"MINE=caf\xc3\xa9 \xff\n'!$x"}
}

var trickyValues = []string{
	"",
	"plain",
	"-e",
	"-n",
	"two words",
	"line\nbreak\n",
	"\n",
	"trailing newlines\n\n\n",
	`'single' "double" ` + "`back`",
	`$HOME ${HOME} $(echo no) $((1+1)) \$ \\ \n \x41 \'`,
	"*", "?", "[a-z]*", "~", "~root", "{a,b}", "#comment", "a;b&c|d>e<f",
	"tab\there\rcr\x1bescape\x7fdel\x01",
	"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	"\xff\xfe invalid \x80 \xc3",
	"\xc3\xa9\xff\x41\x62",
	"\xef\xbf\xbd real replacement char",
	"\u200b zero width \u0085 next line",
	"a::b:", ":", "::", "/x:", ":/x", "/a b:/c'd:/e\nf",
	"\\", "'", "\\'", "'\\",
	"%self", "!!", "-- --", "=",
}

func TestRoundTrip(t *testing.T) {
	for _, shell := range allShells {
		for _, locale := range []string{"C.UTF-8", "C"} {
			t.Run(shell+"/"+locale, func(t *testing.T) {
				for _, v := range trickyValues {
					v := v
					roundTrip(t, shell, baseEnv(locale), Changes{
						"X": &v, "MANPATH": &v, "XDG_DATA_DIRS": &v, "GONE": nil,
					})
				}
			})
		}
	}
}

// TestRoundTripLarge: a 30 kB PATH and 50 variables at once reach every
// shell exactly (tcsh and elvish read them from a file of code, the
// others from a command substitution).
func TestRoundTripLarge(t *testing.T) {
	var path strings.Builder
	path.WriteString("/usr/bin:/bin")
	for i := 0; path.Len() < 30000; i++ {
		fmt.Fprintf(&path, ":/opt/tool%d/with/a/long/bin", i)
	}
	p := path.String()
	changes := Changes{"PATH": &p}
	for i := 0; i < 50; i++ {
		v := fmt.Sprintf("value %d\n!$'\"", i)
		changes[fmt.Sprintf("V%d", i)] = &v
	}
	for _, shell := range allShells {
		roundTrip(t, shell, baseEnv("C.UTF-8"), changes)
	}
}

// allShells are the shells Render writes code for.
var allShells = []string{"bash", "zsh", "fish", "tcsh", "elvish"}

// FuzzRoundTrip feeds random values through the quoting into every real
// shell and compares the environment they end with byte for byte.
func FuzzRoundTrip(f *testing.F) {
	for i, v := range trickyValues {
		f.Add(v, trickyValues[(i+7)%len(trickyValues)], i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, v, w string, cLocale bool) {
		if strings.IndexByte(v, 0) >= 0 || strings.IndexByte(w, 0) >= 0 {
			t.Skip("NUL cannot be in an environment value")
		}
		locale := "C.UTF-8"
		if cLocale {
			locale = "C"
		}
		for _, shell := range allShells {
			roundTrip(t, shell, baseEnv(locale), Changes{"X": &v, "PATH_LIST": &w, "PATH": &w, "GONE": nil})
		}
	})
}
