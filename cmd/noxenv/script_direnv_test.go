//go:build !front

package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmds["direnvsame"] = cmdDirenvSame
	scriptCmds["direnvexecsame"] = cmdDirenvExecSame
}

// execNoise are the variables that differ between two programs run from
// one shell whatever they load: the shell's own (OLDPWD, SHLVL, _) and
// DIRENV_IN_ENVRC, which direnv exec passes on from the evaluation.
var execNoise = []string{"OLDPWD", "SHLVL", "_", "DIRENV_IN_ENVRC"}

// cmdDirenvExecSame runs env -0 in each DIR's environment through
// noxenv exec DIR and direnv exec DIR, as batch jobs do, and fails unless
// both give the same environment (but for each tool's own variables and
// execNoise). The files must be allowed by both beforehand.
//
//	direnvexecsame DIR...
func cmdDirenvExecSame(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: direnvexecsame DIR...")
	}
	var failed []string
	for _, arg := range args {
		dir := ts.MkAbs(arg)
		var envs [2]map[string]string
		for i, cmd := range [][]string{{"noxenv", "exec", dir, "--", "env", "-0"}, {"direnv", "exec", dir, "env", "-0"}} {
			out := filepath.Join(ts.Getenv("WORK"), ".direnvexecsame-"+cmd[0])
			script := `out=$1; shift; "$@" >"$out"`
			if err := ts.Exec("sh", append([]string{"-c", script, "sh", out}, cmd...)...); err != nil {
				ts.Fatalf("%s: %s exec: %v", arg, cmd[0], err)
			}
			data, err := os.ReadFile(out)
			ts.Check(err)
			envs[i] = parseEnv0(data)
			for _, k := range append(ownVariables[cmd[0]], execNoise...) {
				delete(envs[i], k)
			}
		}
		if d := envDiff(envs[0], envs[1]); d != "" {
			failed = append(failed, arg+": noxenv's environment (-) differs from direnv's (+):\n"+d)
			continue
		}
		fmt.Fprintf(ts.Stdout(), "%s: the same\n", arg)
	}
	if len(failed) > 0 {
		ts.Fatalf("%s", strings.Join(failed, "\n"))
	}
}

// parseEnv0 reads what env -0 prints.
func parseEnv0(data []byte) map[string]string {
	env := map[string]string{}
	for _, kv := range bytes.Split(bytes.TrimSuffix(data, []byte{0}), []byte{0}) {
		k, v, _ := strings.Cut(string(kv), "=")
		env[k] = v
	}
	return env
}

// ownVariables are the variables each tool keeps of its own, for which
// the other has no counterpart, left out of direnvsame's comparison (and
// checked to name the project instead): direnv's record of the loaded
// directory and file, of the changes to revert and of the watched files
// (DIRENV_DIR, DIRENV_FILE, DIRENV_DIFF, DIRENV_WATCHES); noxenv's of the
// loaded directory and of its state (NOXENV_DIR, NOXENV_STATE, the
// latter holding what to revert and what is watched). Every other
// variable counts, NOXENV_* or DIRENV_* settings of the user's included.
var ownVariables = map[string][]string{
	"direnv": {"DIRENV_DIR", "DIRENV_FILE", "DIRENV_DIFF", "DIRENV_WATCHES"},
	"noxenv": {"NOXENV_DIR", "NOXENV_STATE"},
}

// cmdDirenvSame loads each DIR's .envrc in real bash through the hook of
// noxenv and then through direnv's, as a cd and a prompt do, and fails
// unless both leave the same exported environment (but for each tool's own
// variables) and the same files in DIR's .direnv (what layouts create).
// Each tool loads DIR afresh: its .direnv is removed before each. The
// files must be allowed by both beforehand.
//
//	direnvsame DIR...
func cmdDirenvSame(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: direnvsame DIR...")
	}
	var failed []string
	for _, arg := range args {
		if err := direnvSame(ts, ts.MkAbs(arg)); err != "" {
			failed = append(failed, arg+": "+err)
			continue
		}
		fmt.Fprintf(ts.Stdout(), "%s: the same\n", arg)
	}
	if len(failed) > 0 {
		ts.Fatalf("%s", strings.Join(failed, "\n"))
	}
}

// direnvSame compares noxenv's and direnv's loading of dir, and says how
// they differ ("" when they do not).
func direnvSame(ts *testscript.TestScript, dir string) string {
	var envs [2]map[string]string
	var trees [2][]string
	for i, tool := range []string{"noxenv", "direnv"} {
		ts.Check(os.RemoveAll(filepath.Join(dir, ".direnv")))
		env, err := loadThroughHook(ts, tool, dir)
		if err != "" {
			return err
		}
		envs[i], trees[i] = env, layoutTree(ts, filepath.Join(dir, ".direnv"))
	}
	ts.Check(os.RemoveAll(filepath.Join(dir, ".direnv")))
	if d := envDiff(envs[0], envs[1]); d != "" {
		return "noxenv's environment (-) differs from direnv's (+):\n" + d
	}
	if !slices.Equal(trees[0], trees[1]) {
		return fmt.Sprintf("noxenv made .direnv/%q, direnv .direnv/%q", trees[0], trees[1])
	}
	return ""
}

// loadThroughHook returns the environment that real bash exports after
// tool's hook ran at a cd into dir, less the tool's own variables, which
// must say that dir's .envrc was loaded (else the error).
func loadThroughHook(ts *testscript.TestScript, tool, dir string) (map[string]string, string) {
	out := filepath.Join(ts.Getenv("WORK"), ".direnvsame-"+tool)
	script := `eval "$("$1" hook bash)"; cd "$2" && eval "$PROMPT_COMMAND" && env -0 >"$3"`
	if err := ts.Exec("bash", "--norc", "--noprofile", "-c", script, "bash", tool, dir, out); err != nil {
		return nil, fmt.Sprintf("bash with %s's hook: %v", tool, err)
	}
	data, err := os.ReadFile(out)
	ts.Check(err)
	env := parseEnv0(data)
	loaded := map[string]string{"noxenv": env["NOXENV_DIR"], "direnv": env["DIRENV_FILE"]}[tool]
	if want := map[string]string{"noxenv": dir, "direnv": filepath.Join(dir, ".envrc")}[tool]; loaded != want {
		return nil, fmt.Sprintf("%s did not load it: %s", tool, strings.TrimSpace(ts.ReadFile("stderr")))
	}
	for _, k := range ownVariables[tool] {
		delete(env, k)
	}
	return env, ""
}

// layoutTree lists the files and directories in dir, two levels deep,
// with each file's mode and the hash of its content.
func layoutTree(ts *testscript.TestScript, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			rel = fmt.Sprintf("%s %v %x", rel, fi.Mode(), sha256.Sum256(data))
		}
		out = append(out, rel)
		if d.IsDir() && strings.Count(rel, "/") >= 1 {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		ts.Fatalf("%v", err)
	}
	return out
}

// envDiff returns the variables a and b disagree on, one a line.
func envDiff(a, b map[string]string) string {
	var d strings.Builder
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		av, inA := a[k]
		bv, inB := b[k]
		if inA == inB && av == bv {
			continue
		}
		if inA {
			fmt.Fprintf(&d, "- %s=%q\n", k, av)
		}
		if inB {
			fmt.Fprintf(&d, "+ %s=%q\n", k, bv)
		}
	}
	return d.String()
}
