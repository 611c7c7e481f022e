package activate

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/activate/prompt"
)

// TestStdlibParses parses stdlib.sh and checks that each of its functions
// is reachable by its builtin's name, or called by another.
func TestStdlibParses(t *testing.T) {
	f, err := syntax.NewParser().Parse(strings.NewReader(stdlibText()), "stdlib.sh")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	syntax.Walk(f, func(node syntax.Node) bool {
		fd, ok := node.(*syntax.FuncDecl)
		if !ok {
			return true
		}
		n++
		name, ok := strings.CutPrefix(fd.Name.Value, shellPrefix)
		if !ok || lookupBuiltin(name) == nil && strings.Count(stdlibText(), fd.Name.Value) < 2 {
			t.Errorf("function %s is no builtin's", fd.Name.Value)
		}
		return false
	})
	if n == 0 {
		t.Fatal("stdlib.sh defines no function")
	}
}

// BenchmarkStdlibParse is what a process that evaluates a script pays
// once for the standard library's shell functions, if it calls one.
func BenchmarkStdlibParse(b *testing.B) {
	for b.Loop() {
		if _, err := syntax.NewParser().Parse(strings.NewReader(stdlibText()), "stdlib.sh"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateStdlib evaluates, uncached, a script of the stdlib
// calls that most scripts make, all written in Go.
func BenchmarkEvaluateStdlib(b *testing.B) {
	dir, cfg := project(b, map[string]string{
		prompt.FileName: "PATH_add bin\npath_add MYPATH lib\nhas sh\ndotenv_if_exists\nwatch_file a\nsource_env_if_exists x\nexport A=1\n",
	})
	file := allowed(b, cfg, dir)
	cfg.CacheDir = ""
	base := map[string]string{"PATH": "/usr/bin:/bin"}
	for b.Loop() {
		if _, err := Evaluate(context.Background(), cfg, file, base); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWatchDir evaluates, uncached, watch_dir of a tree of 2000
// files.
func BenchmarkWatchDir(b *testing.B) {
	files := map[string]string{prompt.FileName: "watch_dir tree\n"}
	for i := range 2000 {
		files[fmt.Sprintf("tree/d%d/f%d", i%50, i)] = "x"
	}
	dir, cfg := project(b, files)
	file := allowed(b, cfg, dir)
	cfg.CacheDir = ""
	for b.Loop() {
		if _, err := Evaluate(context.Background(), cfg, file, nil); err != nil {
			b.Fatal(err)
		}
	}
}
