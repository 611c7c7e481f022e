package activate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/pattern"
)

// pathRm is path_rm VAR PATTERN...: the entries of VAR that match a
// PATTERN go, each PATTERN an extended glob whose | separates
// alternatives, as direnv's +(PATTERN) has it; VAR is exported.
func (e *evaluator) pathRm(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) == 0 {
		return errors.New("path_rm needs a variable name (path_rm VAR PATTERN...)")
	}
	var res []*regexp.Regexp
	for _, p := range args[1:] {
		expr, err := pattern.Regexp("+("+p+")", pattern.EntireString|pattern.ExtendedOperators)
		if err != nil {
			return fmt.Errorf("path_rm: pattern %q: %w", p, err)
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return fmt.Errorf("path_rm: pattern %q: %w", p, err)
		}
		res = append(res, re)
	}
	var kept []string
	if v := hc.Env.Get(args[0]).String(); v != "" {
		// As read -a splits it: a last empty entry is none.
		for _, dir := range strings.Split(strings.TrimSuffix(v, ":"), ":") {
			if !slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(dir) }) {
				kept = append(kept, dir)
			}
		}
	}
	v := strings.Join(kept, ":")
	return e.setVars(ctx, hc, map[string]*string{args[0]: &v})
}

// pathRmPATH is PATH_rm PATTERN....
func (e *evaluator) pathRmPATH(ctx context.Context, hc interp.HandlerContext, args []string) error {
	return e.pathRm(ctx, hc, append([]string{"PATH"}, args...))
}

// expandPath is expand_path PATH [DIR]: PATH made absolute against DIR
// (itself against the working directory), or the working directory.
func expandPath(_ *evaluator, _ context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) > 2 {
		return errors.New("expand_path takes a PATH and a DIR it is relative to")
	}
	base := hc.Dir
	if len(args) == 2 {
		base = abs(hc, args[1])
	}
	p := base
	if len(args) > 0 {
		p = filepath.Join(base, args[0])
		if filepath.IsAbs(args[0]) {
			p = filepath.Clean(args[0])
		}
	}
	fmt.Fprintln(hc.Stdout, p)
	return nil
}

// userRelPath is user_rel_path PATH: PATH with the home directory
// written ~.
func userRelPath(_ *evaluator, _ context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) != 1 {
		return errors.New("user_rel_path takes one PATH")
	}
	p := args[0]
	home := strings.TrimSuffix(hc.Env.Get("HOME").String(), "/")
	if home != "" {
		if p == home {
			p = "~"
		} else if rest, ok := strings.CutPrefix(p, home+"/"); ok {
			p = "~/" + rest
		}
	}
	fmt.Fprintln(hc.Stdout, p)
	return nil
}

// findUp is find_up NAME: the nearest file NAME in the working directory
// or its parents, or status 1.
func (e *evaluator) findUp(_ context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) != 1 || args[0] == "" {
		return interp.ExitStatus(1)
	}
	for dir := hc.Dir; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, args[0])
		e.deps.add(p)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			fmt.Fprintln(hc.Stdout, p)
			return nil
		}
		if filepath.Dir(dir) == dir {
			return interp.ExitStatus(1)
		}
	}
}

// semverSearch is semver_search DIR PREFIX PARTIAL: of DIR's directories
// named PREFIX followed by a version that starts with PARTIAL, the
// highest version (by its first three numbers, then as text), or nothing.
// Finding nothing, even no DIR, is no failure, as in direnv.
func (e *evaluator) semverSearch(_ context.Context, hc interp.HandlerContext, args []string) error {
	for len(args) < 3 {
		args = append(args, "")
	}
	dir, prefix, partial := args[0], args[1], args[2]
	// A directory's listing is not followed by the cache.
	e.deps.taint()
	ents, err := os.ReadDir(abs(hc, dir))
	if err != nil {
		fmt.Fprintf(hc.Stderr, "noxenv: semver_search: %s\n", withoutOp(err))
		return nil
	}
	var best string
	found := false
	for _, ent := range ents {
		v, ok := strings.CutPrefix(ent.Name(), prefix)
		if !ok || !ent.IsDir() || !strings.HasPrefix(v, partial) {
			continue
		}
		if !found || semverBefore(v, best) {
			best, found = v, true
		}
	}
	if found {
		fmt.Fprintln(hc.Stdout, best)
	}
	return nil
}

// semverBefore says whether version a sorts before b in semver_search's
// order: each of the first three .-separated fields by the number it
// starts with, highest first, then the whole text, lowest first.
func semverBefore(a, b string) bool {
	fa, fb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range 3 {
		if c := cmpLeadingNumber(field(fa, i), field(fb, i)); c != 0 {
			return c > 0
		}
	}
	return a < b
}

func field(fs []string, i int) string {
	if i < len(fs) {
		return fs[i]
	}
	return ""
}

// cmpLeadingNumber compares the numbers that a and b start with (none is
// 0), whatever their size.
func cmpLeadingNumber(a, b string) int {
	na, nb := leadingDigits(a), leadingDigits(b)
	if len(na) != len(nb) {
		return len(na) - len(nb)
	}
	return strings.Compare(na, nb)
}

// leadingDigits is the digits s starts with, without leading zeros.
func leadingDigits(s string) string {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return strings.TrimLeft(s[:n], "0")
}

// withoutOp is a file error without its operation: "PATH: reason".
func withoutOp(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}
