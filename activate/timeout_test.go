package activate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/settings"
)

// endless are scripts that never end by themselves.
var endless = map[string]string{
	"loop":                         "while :; do :; done\n",
	"sleep":                        "sleep 1000\n",
	"command substitution":         "x=$(sleep 1000)\n",
	"backticks":                    "x=`sleep 1000`\n",
	"process substitution":         "read -r x < <(sleep 1000)\n",
	"pipeline":                     "sleep 1000 | cat\n",
	"background job":               "sleep 1000 &\nwait\n",
	"child ignoring TERM":          "sh -c 'trap \"\" TERM INT HUP; while :; do :; done'\n",
	"grandchild":                   "sh -c 'sleep 1000; :'\n",
	"grandchildren ignoring":       "sh -c 'trap \"\" TERM INT HUP; sh -c \"trap \\\"\\\" TERM INT HUP; sleep 1000; :\" & sleep 1000; :'\n",
	"builtin loop in substitution": "x=$(while :; do watch_file w; done)\n",
	"reading a FIFO no one opens":  "rm -f f; mkfifo f\nread -r x < f\n",
	"a FIFO in a substitution":     "rm -f f; mkfifo f\nx=$(<f)\n",
	"writing a FIFO no one opens":  "rm -f f; mkfifo f\necho x > f\n",
	// A child that leaves a grandchild holding the substitution's output
	// and exits: the grandchild is no longer its descendant.
	"orphan holding a substitution": "x=$(sh -c 'sleep 1000 & echo x')\n",
	"daemon in its own session":     "setsid -f sleep 1000\nsleep 1000\n",
	// Reads that never end and never wait: the builtin read and $(<f)
	// of a device that always has more.
	"read of an endless device":         "read -r x < /dev/zero\n",
	"dotenv of a FIFO no one opens":     "rm -f f; mkfifo f\ndotenv f\n",
	"substitution of an endless device": "x=$(</dev/zero)\n",
}

// The time limit ends an evaluation whatever it is doing, at every depth
// of sourcing: the error names the file and the limit, and no process the
// evaluation started is left.
func TestTimeLimitEndsEverything(t *testing.T) {
	const limit = 300 * time.Millisecond
	for _, dname := range []string{"top", "source_env", "source_up", "source_env_if_exists", "dot", "source", "nested"} {
		d := depths[dname]
		for kname, script := range endless {
			t.Run(dname+"/"+kname, func(t *testing.T) {
				t.Parallel()
				dir, cfg := d.layout(t, script)
				file := filepath.Join(dir, d.entry)
				cfg.Settings = evalTimeout(limit)
				var stderr bytes.Buffer
				cfg.Stderr = &stderr
				mark := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
				start := time.Now()
				_, err := evaluateWithin(t, 20*time.Second, cfg, file, map[string]string{"PATH": os.Getenv("PATH"), "NOXENV_TEST_MARK": mark})
				took := time.Since(start)
				if err == nil || !strings.Contains(err.Error(), "took longer than "+limit.String()) {
					t.Fatalf("err = %v, want the limit named", err)
				}
				if at := filepath.Join(dir, d.holder()); !strings.HasPrefix(err.Error(), at+":") {
					t.Errorf("err = %v, want %s named", err, at)
				}
				if strings.Contains(stderr.String(), "context") {
					t.Errorf("the script printed %q", stderr.String())
				}
				if took > limit+time.Second {
					t.Errorf("evaluation ended %v after it started, limit %v", took, limit)
				}
				if left := marked(mark); len(left) > 0 {
					t.Errorf("processes left: %s", strings.Join(left, "; "))
				}
			})
		}
	}
}

// An interruption (Ctrl-C) ends the evaluation as the limit does: the
// error names the file, no process it started is left.
func TestInterruptionEndsProcesses(t *testing.T) {
	dir, cfg := depths["source_env"].layout(t, endless["grandchildren ignoring"])
	mark := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := Evaluate(ctx, cfg, filepath.Join(dir, prompt.FileName), map[string]string{"PATH": os.Getenv("PATH"), "NOXENV_TEST_MARK": mark})
	if at := filepath.Join(dir, "lib", "env.sh"); err == nil || !strings.HasPrefix(err.Error(), at+":1:1: evaluation interrupted") {
		t.Fatalf("err = %v, want %s named", err, at)
	}
	if left := marked(mark); len(left) > 0 {
		t.Errorf("processes left: %s", strings.Join(left, "; "))
	}
}

// A project whose evaluation ran out of time is a failure the hook keeps
// until something changes: the next prompt does not evaluate it again.
func TestTimedOutNotRetried(t *testing.T) {
	dir, cfg := depths["source_env"].layout(t, "sleep 1000\n")
	cfg.Settings = evalTimeout(200 * time.Millisecond)
	config := func() (Config, error) { return cfg, nil }
	base := map[string]string{"PATH": os.Getenv("PATH")}
	sw := prompt.Next(Evaluator(context.Background(), config), nil, base, dir, nil)
	if sw.State.Status != prompt.Failed || sw.Err == nil || !strings.Contains(sw.Err.Error(), "took longer than 200ms") {
		t.Fatalf("first prompt: %+v, %v", sw.State, sw.Err)
	}
	if again := prompt.Next(Evaluator(context.Background(), config), nil, sw.Env, dir, nil); again.Evaluated || again.Err != nil || again.State.Status != prompt.Failed {
		t.Fatalf("next prompt: evaluated %v, %+v, %v", again.Evaluated, again.State, again.Err)
	}
	lib := filepath.Join(dir, "lib", "env.sh")
	if err := os.WriteFile(lib, []byte("export DONE=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	allow(t, cfg, lib)
	if sw = prompt.Next(Evaluator(context.Background(), config), nil, sw.Env, dir, nil); sw.State.Status != prompt.Loaded || sw.Env["DONE"] != "1" {
		t.Fatalf("after the sourced file changed: %+v, %v", sw.State, sw.Err)
	}
}

// marked returns the command lines of the processes whose environment
// holds NOXENV_TEST_MARK=mark.
func marked(mark string) []string {
	var left []string
	want := []byte("\x00NOXENV_TEST_MARK=" + mark + "\x00")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), want) {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		left = append(left, filepath.Base(dir)+" "+strings.ReplaceAll(string(bytes.TrimRight(cmd, "\x00")), "\x00", " "))
	}
	return left
}

// holder is the name of the file that holds the construct.
func (d depth) holder() string {
	for name, content := range d.files {
		if content == "%s" {
			return name
		}
	}
	panic("no construct in depth")
}

// A project whose evaluation failed because a settings file could not be
// read (eval-timeout = "abc") is evaluated again once that file changes,
// not at every prompt before.
func TestSettingsErrorRetried(t *testing.T) {
	dir, cfg := depths["top"].layout(t, "export DONE=1\n")
	conf := filepath.Join(t.TempDir(), "noxenv", "config.toml")
	cfg.SettingsFiles = []string{conf}
	cfg.Settings = func() (*settings.Settings, error) {
		return settings.Load(nil, cfg.SettingsFiles, settings.DecodePlain)
	}
	if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("eval-timeout = \"abc\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	config := func() (Config, error) { return cfg, nil }
	base := map[string]string{"PATH": os.Getenv("PATH")}
	sw := prompt.Next(Evaluator(context.Background(), config), nil, base, dir, nil)
	if sw.State.Status != prompt.Failed || sw.Err == nil || !strings.Contains(sw.Err.Error(), "eval-timeout") {
		t.Fatalf("first prompt: %+v, %v", sw.State, sw.Err)
	}
	if again := prompt.Next(Evaluator(context.Background(), config), nil, sw.Env, dir, nil); again.Evaluated {
		t.Fatalf("next prompt evaluated again: %+v, %v", again.State, again.Err)
	}
	if err := os.WriteFile(conf, []byte("eval-timeout = \"5s\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if sw = prompt.Next(Evaluator(context.Background(), config), nil, sw.Env, dir, nil); sw.State.Status != prompt.Loaded || sw.Env["DONE"] != "1" {
		t.Fatalf("after the settings file was mended: %+v, %v", sw.State, sw.Err)
	}
}

// A read of a FIFO whose writer, outside the evaluation, never writes is
// ended by the limit too.
func TestTimeLimitEndsBlockedRead(t *testing.T) {
	const limit = 300 * time.Millisecond
	dir, cfg := depths["source_env"].layout(t, "read -r x < ../fifo\n")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Held open for reading and writing: the evaluation's open returns,
	// its read waits.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cfg.Settings = evalTimeout(limit)
	start := time.Now()
	_, err = evaluateWithin(t, 20*time.Second, cfg, filepath.Join(dir, prompt.FileName), map[string]string{"PATH": os.Getenv("PATH")})
	if err == nil || !strings.Contains(err.Error(), "took longer than "+limit.String()) {
		t.Fatalf("err = %v, want the limit named", err)
	}
	if took := time.Since(start); took > limit+time.Second {
		t.Errorf("evaluation ended %v after it started, limit %v", took, limit)
	}
}

// A project file, its lock or a file source_env reads that is a FIFO
// (made by anyone, in /tmp above the working directory, say) is an
// error, at once: reading it for the trust check waited for a writer for
// ever, before any time limit.
func TestProjectFilesNotFIFOs(t *testing.T) {
	for _, name := range []string{prompt.FileName, prompt.LockName, "lib/env.sh"} {
		t.Run(name, func(t *testing.T) {
			dir, cfg := depths["source_env"].layout(t, "export X=1\n")
			p := filepath.Join(dir, name)
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := evaluateWithin(t, 10*time.Second, cfg, filepath.Join(dir, prompt.FileName), map[string]string{"PATH": os.Getenv("PATH")})
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("err = %v, want %s named as not a regular file", err, p)
			}
		})
	}
}
