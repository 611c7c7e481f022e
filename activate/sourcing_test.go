package activate

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/noxenv/noxenv/activate/prompt"
)

// depth is a way of reaching a file from a .noxprofile: files holds the
// files around it, with "%s" where the construct goes; allow the files
// to trust besides the project's own; entry the file evaluated.
type depth struct {
	files map[string]string
	allow []string
	entry string
}

// depths reach a construct in every way a file can be evaluated.
var depths = map[string]depth{
	"top":                  {files: map[string]string{prompt.FileName: "%s"}, entry: prompt.FileName},
	"source_env":           {files: map[string]string{prompt.FileName: "source_env lib/env.sh\n", "lib/env.sh": "%s"}, allow: []string{"lib/env.sh"}, entry: prompt.FileName},
	"source_env dir":       {files: map[string]string{prompt.FileName: "source_env lib\n", "lib/" + prompt.FileName: "%s"}, allow: []string{"lib/" + prompt.FileName}, entry: prompt.FileName},
	"source_up":            {files: map[string]string{"sub/" + prompt.FileName: "source_up\n", prompt.FileName: "%s"}, allow: []string{prompt.FileName}, entry: "sub/" + prompt.FileName},
	"source_env_if_exists": {files: map[string]string{prompt.FileName: "source_env_if_exists lib/env.sh\n", "lib/env.sh": "%s"}, allow: []string{"lib/env.sh"}, entry: prompt.FileName},
	"source_up_if_exists":  {files: map[string]string{"sub/" + prompt.FileName: "source_up_if_exists\n", prompt.FileName: "%s"}, allow: []string{prompt.FileName}, entry: "sub/" + prompt.FileName},
	"dot":                  {files: map[string]string{prompt.FileName: ". ./lib/dot.sh\n", "lib/dot.sh": "%s"}, entry: prompt.FileName},
	"source":               {files: map[string]string{prompt.FileName: "source lib/dot.sh\n", "lib/dot.sh": "%s"}, entry: prompt.FileName},
	// source_env, then source_up from there, then ., then source_env.
	"nested": {
		files: map[string]string{
			prompt.FileName:        "source_env a\n",
			"a/" + prompt.FileName: "source_up b.sh\n",
			"b.sh":                 ". c/c.sh\n",
			"c/c.sh":               "source_env d/env.sh\n",
			"d/env.sh":             "%s",
			"d/" + prompt.FileName: "# not this one\n",
		},
		allow: []string{"a/" + prompt.FileName, "b.sh", "d/env.sh"},
		entry: prompt.FileName,
	},
}

// layout writes the files of d with construct in place, and in every
// directory a file "data" holding "a" and a script "data.sh" reading it
// into D. It allows the files to trust and returns the project's
// directory with its configuration.
func (d depth) layout(t *testing.T, construct string) (string, Config) {
	t.Helper()
	files := map[string]string{}
	for name, content := range d.files {
		if content == "%s" {
			content = construct
		}
		files[name] = content
		files[filepath.Join(filepath.Dir(name), "data")] = "a\n"
		files[filepath.Join(filepath.Dir(name), "data.sh")] = "D=$(<data)\n"
	}
	dir, cfg := project(t, files)
	for _, f := range append([]string{d.entry}, d.allow...) {
		allow(t, cfg, filepath.Join(dir, f))
	}
	return dir, cfg
}

// evaluateWithin evaluates file, failing the test when that takes longer
// than limit rather than hanging it.
func evaluateWithin(t *testing.T, limit time.Duration, cfg Config, file string, base map[string]string) (*Result, error) {
	t.Helper()
	type answer struct {
		res *Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := Evaluate(context.Background(), cfg, file, base)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		return a.res, a.err
	case <-time.After(limit):
		t.Fatalf("evaluation of %s still running after %v", file, limit)
		return nil, nil
	}
}

// Every construct works at every depth of sourcing: command
// substitutions, globs and process substitutions run in the
// interpreter's own goroutines and subshells, which must reach the
// evaluator as the script itself does.
func TestConstructsAtEveryDepth(t *testing.T) {
	constructs := map[string]struct{ script, want string }{
		"command substitution":           {"export V=$(echo a)\n", "a"},
		"backticks":                      {"export V=`echo a`\n", "a"},
		"external in substitution":       {"export V=$(cat data)\n", "a"},
		"file substitution":              {"export V=$(<data)\n", "a"},
		"glob":                           {"set -- dat?\nexport V=$1\n", "data"},
		"glob in substitution":           {"export V=$(echo dat?)\n", "data"},
		"process substitution":           {"read -r V < <(echo a)\nexport V\n", "a"},
		"process substitution to a file": {"export V=$(cat <(echo a))\n", "a"},
		"pipeline":                       {"export V=$(echo a | cat)\n", "a"},
		"output process substitution":    {"echo a > >(cat > out)\nwait\nexport V=$(<out)\n", "a"},
		"builtin in output substitution": {"log_status a 2> >(cat > out)\nwait\nexport V=$(<out)\n", "noxenv: a"},
		"builtin in substitution":        {"export V=$(watch_file w; echo a)\n", "a"},
		"builtins in a pipeline":         {"watch_file w | watch_file x\nexport V=a\n", "a"},
		"background builtin":             {"watch_file w &\nwait\nexport V=a\n", "a"},
		"sourcing in substitution":       {"export V=$(. ./data.sh; echo $D)\n", "a"},
	}
	for dname, d := range depths {
		for cname, c := range constructs {
			t.Run(dname+"/"+cname, func(t *testing.T) {
				dir, cfg := d.layout(t, c.script)
				res, err := evaluateWithin(t, 20*time.Second, cfg, filepath.Join(dir, d.entry), map[string]string{"PATH": os.Getenv("PATH")})
				if err != nil {
					t.Fatal(err)
				}
				if res.Env["V"] != c.want {
					t.Errorf("V = %q, want %q", res.Env["V"], c.want)
				}
			})
		}
	}
}
