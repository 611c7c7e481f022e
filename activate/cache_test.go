package activate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/store"
)

// evalCount evaluates file and says whether the script ran (it logs a
// status line each time it runs).
func evalRan(t *testing.T, cfg Config, file string, base map[string]string) (map[string]string, bool) {
	t.Helper()
	var stderr bytes.Buffer
	cfg.Stderr = &stderr
	res, err := Evaluate(context.Background(), cfg, file, base)
	if err != nil {
		t.Fatal(err)
	}
	return res.Env, stderr.Len() > 0
}

func TestCacheReusesPureEvaluations(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName: "log_status ran\nexport GREETING=\"hi $NAME\"\ndotenv_if_exists\nwatch_file w\n",
		"w":             "1",
		"data.txt":      "x",
	})
	file := allowed(t, cfg, dir)
	base := map[string]string{"NAME": "ann", "JOB": "1"}
	if _, ran := evalRan(t, cfg, file, base); !ran {
		t.Fatal("first evaluation did not run")
	}
	// A variable the script does not read changes nothing: reused, and
	// passed through.
	env, ran := evalRan(t, cfg, file, map[string]string{"NAME": "ann", "JOB": "2"})
	if ran || env["GREETING"] != "hi ann" || env["JOB"] != "2" {
		t.Fatalf("unrelated variable: ran %v, env %v", ran, env)
	}
	// A variable it reads, a watched file, a dotenv appearing: evaluated.
	if env, ran := evalRan(t, cfg, file, map[string]string{"NAME": "bob"}); !ran || env["GREETING"] != "hi bob" {
		t.Fatalf("read variable changed: ran %v, env %v", ran, env)
	}
	os.WriteFile(filepath.Join(dir, "w"), []byte("2"), 0o644)
	if _, ran := evalRan(t, cfg, file, base); !ran {
		t.Fatal("watched file changed, not evaluated")
	}
	if _, ran := evalRan(t, cfg, file, base); ran {
		t.Fatal("nothing changed, evaluated again")
	}
	os.WriteFile(filepath.Join(dir, ".env"), []byte("X=1\n"), 0o644)
	if env, ran := evalRan(t, cfg, file, base); !ran || env["X"] != "1" {
		t.Fatalf(".env appeared: ran %v, env %v", ran, env)
	}
	// Trust is checked every time, cache or not.
	if err := prompt.Deny(cfg.AllowDir, file); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(context.Background(), cfg, file, base); err == nil {
		t.Fatal("denied file evaluated from the cache")
	}
}

func TestCacheSkipsImpureEvaluations(t *testing.T) {
	for name, script := range map[string]string{
		"external": "log_status ran\nexport A=$(date)\n",
		"writes":   "log_status ran\necho x >out\n",
		"globs":    "log_status ran\nexport A=$(echo *)\n",
		// Variables listed by prefix were not read one by
		// one: a new one would not be noticed.
		"prefix":  "log_status ran\nexport A=\"${!PA*}\"\n",
		"evalled": "log_status ran\nP='${!PA@}'\neval \"export A=\\\"$P\\\"\"\n",
		"sourced": "log_status ran\nsource_env sub\n",
		"random":  "log_status ran\nexport A=$RANDOM\n",
		// A command looked up in PATH may appear or vanish.
		"command":   "log_status ran\nif command -v nosuchcommand; then export A=1; fi\n",
		"type":      "log_status ran\ntype -p sh\n",
		"pid":       "log_status ran\nexport A=$$\n",
		"functions": "log_status ran\nf() { export A=${SRANDOM}; }\nf\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir, cfg := project(t, map[string]string{prompt.FileName: script, ".env": "A=${HOME}\n", "sub/" + prompt.FileName: "export B=\"${!PA*}\"\n"})
			file := allowed(t, cfg, dir)
			allow(t, cfg, filepath.Join(dir, "sub", prompt.FileName))
			base := map[string]string{"PATH": os.Getenv("PATH"), "PA1": "1"}
			evalRan(t, cfg, file, base)
			if _, ran := evalRan(t, cfg, file, base); !ran {
				t.Fatal("an impure evaluation was reused")
			}
		})
	}
}

// A dotenv file's ${VAR} is the script's variable, which the cache
// follows.
func TestCacheFollowsDotenvVariables(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "log_status ran\ndotenv\n", ".env": "A=${HOME}/x\n"})
	file := allowed(t, cfg, dir)
	for i, tc := range []struct {
		home, want string
		ran        bool
	}{{"/a", "/a/x", true}, {"/a", "/a/x", false}, {"/b", "/b/x", true}} {
		env, ran := evalRan(t, cfg, file, map[string]string{"HOME": tc.home})
		if env["A"] != tc.want || ran != tc.ran {
			t.Errorf("%d: A = %q, ran %v; want %q, %v", i, env["A"], ran, tc.want, tc.ran)
		}
	}
}

// A project using packages, also in a subshell, is reused as long as
// nothing changed.
func TestCacheReusesPackages(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName:       "log_status ran\nuse a\nuse b\n( use c )\nexport X=\"$(use c; echo $PATH)\"\n",
		"src/a-1.0/bin/a":     "a",
		"src/b-1.0/bin/b":     "b",
		"src/c-1.0/share/c/c": "c",
	})
	cfg.Stores = storeOf(t, filepath.Join(dir, "src", "a-1.0"), filepath.Join(dir, "src", "b-1.0"), filepath.Join(dir, "src", "c-1.0"))
	file := allowed(t, cfg, dir)
	base := map[string]string{"PATH": "/usr/bin"}
	first, ran := evalRan(t, cfg, file, base)
	if !ran {
		t.Fatal("first evaluation did not run")
	}
	again, ran := evalRan(t, cfg, file, base)
	if ran {
		t.Fatal("unchanged project evaluated again")
	}
	if again["PATH"] != first["PATH"] || again["X"] != first["X"] || !strings.Contains(first["PATH"], "/generations/") {
		t.Fatalf("cached %q, %q; evaluated %q, %q", again["PATH"], again["X"], first["PATH"], first["X"])
	}
}

// A store search path given to open on need is opened when the project
// is evaluated, and not for a result from the cache.
func TestCacheOpensNoStore(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName:   "log_status ran\nuse a\n",
		"src/a-1.0/bin/a": "a",
	})
	sp := storeOf(t, filepath.Join(dir, "src", "a-1.0"))
	opened := 0
	cfg.OpenStores = func() (*store.SearchPath, error) { opened++; return sp, nil }
	cfg.StoreDirs = []string{sp.Stores[0].Dir}
	file := allowed(t, cfg, dir)
	first, ran := evalRan(t, cfg, file, nil)
	if !ran || opened != 1 || !strings.Contains(first["PATH"], "/generations/") {
		t.Fatalf("first evaluation: ran %v, stores opened %d times, PATH %q", ran, opened, first["PATH"])
	}
	again, ran := evalRan(t, cfg, file, nil)
	if ran || opened != 1 || again["PATH"] != first["PATH"] {
		t.Fatalf("from the cache: ran %v, stores opened %d times, PATH %q", ran, opened, again["PATH"])
	}
	// Another search path is another configuration: evaluated.
	cfg.StoreDirs = append(cfg.StoreDirs, filepath.Join(dir, "other"))
	if _, ran := evalRan(t, cfg, file, nil); !ran || opened != 2 {
		t.Fatalf("other store path: ran %v, stores opened %d times", ran, opened)
	}
}

// A file's mode and modification time are part of what the cache
// follows: test -x, test -nt.
func TestCacheFollowsModes(t *testing.T) {
	script := "if [ -x tool ]; then export X=yes; fi\nif [ a -nt b ]; then export NEWER=a; fi\n"
	dir, cfg := project(t, map[string]string{prompt.FileName: script, "tool": "#!/bin/sh\n", "a": "a", "b": "b"})
	file := allowed(t, cfg, dir)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, "a"), old, old)
	if env, _ := evalRan(t, cfg, file, nil); env["X"] != "" || env["NEWER"] != "" {
		t.Fatalf("first: %v", env)
	}
	os.Chmod(filepath.Join(dir, "tool"), 0o755)
	os.Chtimes(filepath.Join(dir, "a"), time.Now().Add(time.Hour), time.Now().Add(time.Hour))
	if env, _ := evalRan(t, cfg, file, nil); env["X"] != "yes" || env["NEWER"] != "a" {
		t.Fatalf("after chmod +x and touch: %v", env)
	}
}

// A file that changes after the evaluation read it, while it still runs,
// makes its result stale: the cache keeps what the file was when read.
func TestCacheChangeDuringEvaluation(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName: "dotenv\nread -r x < sync\nexport SEEN=$x\n",
		".env":          "A=1\n",
	})
	file := allowed(t, cfg, dir)
	sync := filepath.Join(dir, "sync")
	if err := syscall.Mkfifo(sync, 0o600); err != nil {
		t.Fatal(err)
	}
	// release lets the evaluation past its read of the pipe, first running
	// change, once the evaluation has read .env and waits on the pipe.
	release := func(change func()) {
		go func() {
			f, err := os.OpenFile(sync, os.O_WRONLY, 0) // waits for the reader
			if err != nil {
				t.Error(err)
				return
			}
			change()
			f.WriteString("go\n")
			f.Close()
		}()
	}
	release(func() {
		if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("A=2\n"), 0o644); err != nil {
			t.Error(err)
		}
	})
	env, _ := evalRan(t, cfg, file, map[string]string{})
	if env["A"] != "1" || env["SEEN"] != "go" {
		t.Fatalf("first evaluation: %v", env)
	}
	release(func() {})
	if env, _ := evalRan(t, cfg, file, map[string]string{}); env["A"] != "2" {
		t.Fatalf("evaluation after .env changed during the last one: A=%q, want 2", env["A"])
	}
}

// A file the evaluation read is fingerprinted as read: one that changed
// since, even keeping its time, or that appeared since it was found
// absent, no longer matches.
func TestCacheDepsAsRead(t *testing.T) {
	dir := t.TempDir()
	p, q := filepath.Join(dir, "read"), filepath.Join(dir, "appeared")
	if err := os.WriteFile(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := newDeps()
	d.read(p, []byte("new"))
	if d.paths[p] != prompt.Fingerprint(p) {
		t.Fatalf("unchanged file: %q, now %q", d.paths[p], prompt.Fingerprint(p))
	}
	d.read(p, []byte("old"))
	d.read(q, nil)
	if err := os.WriteFile(q, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if d.paths[p] == prompt.Fingerprint(p) || d.paths[q] == prompt.Fingerprint(q) {
		t.Fatalf("changed files still match: %q, %q", d.paths[p], d.paths[q])
	}
}

// Two starts of one project that differ in a variable it reads (a shell
// and its jobs) each keep their result: neither evaluates again after the
// other did. A third start replaces the older of the two.
func TestCacheKeepsAnotherStart(t *testing.T) {
	dir, cfg := project(t, map[string]string{
		prompt.FileName: "log_status ran\nexport GREETING=\"hi $NAME\"\n",
	})
	file := allowed(t, cfg, dir)
	ann, bob, cy := map[string]string{"NAME": "ann"}, map[string]string{"NAME": "bob"}, map[string]string{"NAME": "cy"}
	for i, step := range []struct {
		base map[string]string
		ran  bool
	}{{ann, true}, {bob, true}, {ann, false}, {bob, false}, {ann, false}, {cy, true}, {bob, false}, {cy, false}, {ann, true}} {
		env, ran := evalRan(t, cfg, file, step.base)
		if ran != step.ran || env["GREETING"] != "hi "+step.base["NAME"] {
			t.Fatalf("step %d (NAME=%s): ran %v, want %v; env %v", i, step.base["NAME"], ran, step.ran, env)
		}
	}
	// A change of the content leaves no result of the old one.
	if err := os.WriteFile(file, []byte("log_status ran\nexport GREETING=\"hello $NAME\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	allowed(t, cfg, dir)
	for _, base := range []map[string]string{ann, cy} {
		if env, ran := evalRan(t, cfg, file, base); !ran || env["GREETING"] != "hello "+base["NAME"] {
			t.Fatalf("after the change (NAME=%s): ran %v, env %v", base["NAME"], ran, env)
		}
	}
}
