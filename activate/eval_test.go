package activate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/settings"
)

// project writes files (name → content) under a new directory and returns
// it with a configuration whose trust records live beside it.
func project(t testing.TB, files map[string]string) (string, Config) {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "proj")
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{
		Places: prompt.Places{
			StateDir: filepath.Join(root, "state"),
			AllowDir: filepath.Join(root, "allow"),
			CacheDir: filepath.Join(root, "cache"),
		},
		Settings: evalTimeout(10 * time.Second),
	}
	return dir, cfg
}

// evalTimeout returns settings whose eval-timeout is d.
func evalTimeout(d time.Duration) func() (*settings.Settings, error) {
	return func() (*settings.Settings, error) {
		return &settings.Settings{EvalTimeout: d}, nil
	}
}

// allowed allows the .noxprofile of dir and returns its path.
func allowed(t testing.TB, cfg Config, dir string) string {
	t.Helper()
	file := filepath.Join(dir, prompt.FileName)
	allow(t, cfg, file)
	return file
}

func allow(t testing.TB, cfg Config, file string) {
	t.Helper()
	if err := Allow(cfg.AllowDir, file); err != nil {
		t.Fatal(err)
	}
}

func TestEvaluateVariables(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName: `export GREETING="hello $USER"
unset DROPME
NOTEXPORTED=1
PATH_add bin tools
path_add MYPATH lib
dotenv
dotenv_if_exists missing.env
watch_file extra.txt
cd sub
`,
		".env":      "FROM_DOTENV='a b'\n",
		"sub/.keep": "",
	})
	file := allowed(t, cfg, dir)
	base := map[string]string{"USER": "ann", "PATH": "/usr/bin", "DROPME": "x", "PWD": dir}
	res, err := Evaluate(context.Background(), cfg, file, base)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"USER":        "ann",
		"GREETING":    "hello ann",
		"PATH":        filepath.Join(dir, "bin") + ":" + filepath.Join(dir, "tools") + ":/usr/bin",
		"MYPATH":      filepath.Join(dir, "lib"),
		"FROM_DOTENV": "a b",
		"PWD":         dir,
	}
	if len(res.Env) != len(want) {
		t.Errorf("env = %v, want %v", res.Env, want)
	}
	for k, v := range want {
		if res.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, res.Env[k], v)
		}
	}
	for _, w := range []string{file, filepath.Join(dir, prompt.LockName), filepath.Join(dir, ".env"), filepath.Join(dir, "missing.env"), filepath.Join(dir, "extra.txt")} {
		if !contains(res.Watched, w) {
			t.Errorf("%s not watched: %v", w, res.Watched)
		}
	}
}

func contains(list []prompt.Watch, s string) bool {
	for _, x := range list {
		if x.Path == s {
			return true
		}
	}
	return false
}

func TestEvaluateBlocked(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "touch pwned\n"})
	file := filepath.Join(dir, prompt.FileName)
	_, err := Evaluate(context.Background(), cfg, file, map[string]string{"PATH": os.Getenv("PATH")})
	var blocked *prompt.BlockedError
	if !errors.As(err, &blocked) {
		t.Fatalf("err = %v, want blocked", err)
	}
	if want := file + " is blocked. Run 'noxenv allow' to approve its content"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Fatal("an untrusted file ran")
	}
	allow(t, cfg, file)
	os.WriteFile(file, []byte("touch pwned \n"), 0o644)
	if _, err := Evaluate(context.Background(), cfg, file, nil); !errors.As(err, &blocked) {
		t.Fatalf("changed file: err = %v, want blocked", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Fatal("a changed file ran")
	}
}

func TestEvaluateErrorsHavePositions(t *testing.T) {
	for name, tc := range map[string]struct{ script, want string }{
		"syntax":    {"export A=1\nif then\n", ":2:1: "},
		"builtin":   {"export A=1\n  path_add\n", ":2:3: path_add needs a variable name (path_add VAR DIR...)"},
		"errexit":   {"\n\nfalse\n", ":3:1: false failed with exit status 1"},
		"dotenv":    {"dotenv nothere\n", ":1:1: dotenv: "},
		"untrusted": {"source_env other\n", ":1:1: "},
		// The set +e noxenv puts in a command substitution is no
		// command of the script's to blame.
		"injected": {"export A=1\nB=$(local x=1)\n", ":2:5: local: can only be used in a function"},
		// An expansion that ends the script is no command's failure:
		// set -u's, or ${X:?}'s, is at that expansion (the one of the
		// name the interpreter printed, not the one with a default).
		"nounset":       {"export A=1\nset -u\nexport B=2\n\nexport C=${X:-a} $NOPE\n", ":5:18: $NOPE is not set"},
		"required":      {"export A=1\nexport B=${NOPE:?is required}\n", ":2:10: $NOPE is not set"},
		"nounset subst": {"set -eu\ntrue\nx=$(echo $NOPE)\n", ":3:10: $NOPE is not set"},
		"nounset func":  {"set -u\nf() {\n  echo $NOPE\n}\nf\n", ":5:1: $NOPE is not set in what f ran"},
		// So is a declaration the interpreter fails itself.
		"local":            {"export A=1\necho hi\nf() { local y=2; }\nlocal x=1\n", ":4:1: local: can only be used in a function"},
		"invalid name":     {"echo hi\nexport \"A-B=1\"\n", ":2:1: declare: invalid name \"A-B\""},
		"decl in func":     {"f() {\n  export \"A-B=1\"\n}\necho hi\nf\n", ":5:1: declare: invalid name \"A-B\" in what f ran"},
		"said, then false": {"export A=1\nprintf 'local: can only be used in a function\\n' >&2\nfalse\n", ":3:1: false failed with exit status 1"},
		"nounset arithm":   {"set -u\ntrue\nx=$(( NOPE + 1 ))\n", ":2:1: $NOPE is not set, after true"},
	} {
		t.Run(name, func(t *testing.T) {
			dir, cfg := project(t, map[string]string{prompt.FileName: tc.script, "other": "touch pwned\n"})
			file := allowed(t, cfg, dir)
			_, err := Evaluate(context.Background(), cfg, file, map[string]string{"PATH": os.Getenv("PATH")})
			if err == nil || !strings.HasPrefix(err.Error(), file+tc.want) {
				t.Fatalf("err = %v, want prefix %s", err, file+tc.want)
			}
		})
	}
}

// TestUnsetInSourcedFile: direnv's strict_env makes an unset variable end
// the evaluation; in a file source_env loads, the error is there.
func TestUnsetInSourcedFile(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.EnvrcName: "strict_env\ntrue\nsource_env sub.sh\n",
		"sub.sh":         "true\nexport B=\"$NOPE\"\n",
	})
	file := filepath.Join(dir, prompt.EnvrcName)
	allow(t, cfg, file)
	allow(t, cfg, filepath.Join(dir, "sub.sh"))
	_, err := Evaluate(context.Background(), cfg, file, nil)
	if want := filepath.Join(dir, "sub.sh") + ":2:11: $NOPE is not set"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

func TestSourceEnv(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName:          "source_env sub\nexport TOP=$FROM_SUB\n",
		"sub/" + prompt.FileName: "export FROM_SUB=yes\nlog_status hello\nfalse_builtin_error() { :; }\n",
	})
	file := allowed(t, cfg, dir)
	var stderr bytes.Buffer
	cfg.Stderr = &stderr
	_, err := Evaluate(context.Background(), cfg, file, nil)
	var blocked *prompt.BlockedError
	if !errors.As(err, &blocked) || blocked.Path != filepath.Join(dir, "sub", prompt.FileName) {
		t.Fatalf("err = %v, want the sourced file blocked", err)
	}
	allow(t, cfg, filepath.Join(dir, "sub", prompt.FileName))
	res, err := Evaluate(context.Background(), cfg, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Env["TOP"] != "yes" || stderr.String() != "noxenv: hello\n" {
		t.Errorf("TOP = %q, stderr %q", res.Env["TOP"], stderr.String())
	}
}

func TestEvaluateTimeout(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "while :; do :; done\n"})
	file := allowed(t, cfg, dir)
	cfg.Settings = evalTimeout(100 * time.Millisecond)
	_, err := Evaluate(context.Background(), cfg, file, nil)
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err = %v", err)
	}
}

// TestBackgroundBuiltins runs builtins in background jobs, concurrently:
// run with -race, it checks that what they record is guarded.
func TestBackgroundBuiltins(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "for i in 1 2 3 4 5 6 7 8; do watch_file a$i & PATH_add b$i & MANPATH_add m$i & has x$i & dotenv_if_exists c$i & done; wait\n"})
	file := allowed(t, cfg, dir)
	if _, err := Evaluate(context.Background(), cfg, file, nil); err != nil {
		t.Fatal(err)
	}
}

// An evaluation stops when its context is cancelled (Ctrl-C), also in
// the middle of an external command.
func TestEvaluateInterrupted(t *testing.T) {
	for name, script := range map[string]string{"loop": "while :; do :; done\n", "command": "sleep 30\n"} {
		t.Run(name, func(t *testing.T) {
			dir, cfg := project(t, map[string]string{prompt.FileName: script})
			file := allowed(t, cfg, dir)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := Evaluate(ctx, cfg, file, map[string]string{"PATH": os.Getenv("PATH")})
			if err == nil || !strings.Contains(err.Error(), "evaluation interrupted") {
				t.Fatalf("err = %v", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("interrupted evaluation returned after %v", d)
			}
		})
	}
}

// A failing evaluation still names the files whose change may fix it, so
// that the hook tries again once the missing .env appears.
func TestFailedEvaluationWatches(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "dotenv\n"})
	file := allowed(t, cfg, dir)
	config := func() (Config, error) { return cfg, nil }
	sw := prompt.Next(Evaluator(context.Background(), config), nil, map[string]string{}, dir, nil)
	if sw.Err == nil || sw.State.Status != prompt.Failed {
		t.Fatalf("missing .env: %+v", sw)
	}
	res, err := Evaluate(context.Background(), cfg, file, nil)
	if err == nil || res == nil || !contains(res.Watched, filepath.Join(dir, ".env")) {
		t.Fatalf("Evaluate = %+v, %v; want .env watched", res, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("A=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sw = prompt.Next(Evaluator(context.Background(), config), nil, sw.Env, dir, nil)
	if sw.State.Status != prompt.Loaded || sw.Env["A"] != "1" {
		t.Fatalf("after .env appeared: %+v", sw.State)
	}
}

// The trust in a sourced file is followed as the file is: denying it
// stops the cache serving the result, allowing it mends a blocked
// project at the next prompt.
func TestSourcedTrustFollowed(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "source_env lib\n", "lib/" + prompt.FileName: "export LIB=1\n"})
	file := allowed(t, cfg, dir)
	lib := filepath.Join(dir, "lib", prompt.FileName)
	config := func() (Config, error) { return cfg, nil }
	sw := prompt.Next(Evaluator(context.Background(), config), nil, map[string]string{}, dir, nil)
	var blocked *prompt.BlockedError
	if !errors.As(sw.Err, &blocked) {
		t.Fatalf("lib not allowed: %v", sw.Err)
	}
	allow(t, cfg, lib)
	sw = prompt.Next(Evaluator(context.Background(), config), nil, sw.Env, dir, nil)
	if sw.State.Status != prompt.Loaded || sw.Env["LIB"] != "1" {
		t.Fatalf("after allowing lib: %+v, %v", sw.State, sw.Err)
	}
	if err := prompt.Deny(cfg.AllowDir, lib); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(context.Background(), cfg, file, nil); !errors.As(err, &blocked) {
		t.Fatalf("lib denied, evaluation gives %v", err)
	}
}

// TestIfExistsWatched: a missing file of source_env_if_exists or
// dotenv_if_exists is watched, so that its appearing reloads.
func TestIfExistsWatched(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "source_env_if_exists a/b\ndotenv_if_exists c\nsource_env missing || true\n"})
	file := allowed(t, cfg, dir)
	res, err := Evaluate(context.Background(), cfg, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"a/b", "c", "missing"} {
		if !contains(res.Watched, filepath.Join(dir, w)) {
			t.Errorf("%s not watched: %v", w, res.Watched)
		}
	}
}

// TestDotWatched: a file loaded with . or source, at any depth, is a
// sourced file: its change reloads, as one of source_env does.
func TestDotWatched(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName: ". ./lib/a.sh\nsource lib/b.sh\n",
		"lib/a.sh":      "export A=1\n",
		"lib/b.sh":      ". ./lib/c.sh\n",
		"lib/c.sh":      "export C=1\n",
	})
	file := allowed(t, cfg, dir)
	res, err := Evaluate(context.Background(), cfg, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"lib/a.sh", "lib/b.sh", "lib/c.sh"} {
		if !contains(res.Watched, filepath.Join(dir, w)) {
			t.Errorf("%s not watched: %v", w, res.Watched)
		}
	}
}

// TestProcessSubstitutionRead: source, . and dotenv read a process
// substitution, whose writer runs in the evaluation (source <(cmd) is a
// bash idiom; direnv's dotenv <(cmd) works too), and do not watch its
// FIFO, which is gone once read.
func TestProcessSubstitutionRead(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "dotenv <(echo A=1)\ndotenv <(printf 'B=2\\n')\n" +
		"source <(echo export C=3)\n. <(echo export D=4; echo 'f() { export E=5; }')\nf\n"})
	file := allowed(t, cfg, dir)
	res, err := evaluateWithin(t, 10*time.Second, cfg, file, map[string]string{"PATH": os.Getenv("PATH")})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"A": "1", "B": "2", "C": "3", "D": "4", "E": "5"} {
		if res.Env[k] != v {
			t.Errorf("%s=%q, want %q", k, res.Env[k], v)
		}
	}
	if !prompt.Fresh(prompt.State{Watches: res.Watched}) {
		t.Errorf("out of date at once: watched %v", res.Watched)
	}
}

// TestNextSettled: right after allow, the evaluation is fresh at once: the
// trust record just written and the lock the evaluation wrote are no
// changes. A dotenv file replaced by an older one is.
func TestNextSettled(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName:   "dotenv\nuse a\n",
		".env":            "A=1\n",
		"older.env":       "A=2\n",
		"src/a-1.0/bin/a": "a",
	})
	cfg.Stores = storeOf(t, filepath.Join(dir, "src", "a-1.0"))
	allowed(t, cfg, dir)
	config := func() (Config, error) { return cfg, nil }
	sw := prompt.Next(Evaluator(context.Background(), config), nil, map[string]string{}, dir, nil)
	if sw.Err != nil || sw.Env["A"] != "1" {
		t.Fatalf("first evaluation: %v, A=%q", sw.Err, sw.Env["A"])
	}
	if _, err := os.Stat(filepath.Join(dir, prompt.LockName)); err != nil {
		t.Fatalf("no lock written: %v", err)
	}
	if !prompt.Fresh(sw.State) {
		t.Fatalf("not fresh right after the evaluation: %+v", sw.State.Watches)
	}
	older := filepath.Join(dir, "older.env")
	if err := os.Chtimes(older, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(older, filepath.Join(dir, ".env")); err != nil {
		t.Fatal(err)
	}
	if prompt.Fresh(sw.State) {
		t.Fatal(".env replaced by an older file is no change")
	}
	sw = prompt.Next(Evaluator(context.Background(), config), nil, sw.Env, dir, nil)
	if sw.Env["A"] != "2" || !sw.Evaluated {
		t.Fatalf("after the replacement: A=%q, evaluated %v", sw.Env["A"], sw.Evaluated)
	}
}
