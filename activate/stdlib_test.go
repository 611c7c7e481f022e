package activate

import (
	"context"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// TestStdlibParses parses stdlib.sh and checks that each of its functions
// is reachable by its builtin's name, or called by another.
func TestStdlibParses(t *testing.T) {
	n := 0
	syntax.Walk(stdlib(), func(node syntax.Node) bool {
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
// once for the standard library's shell functions.
func BenchmarkStdlibParse(b *testing.B) {
	for b.Loop() {
		if _, err := syntax.NewParser().Parse(strings.NewReader(stdlibText()), "stdlib.sh"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateStdlib evaluates, uncached, a script of stdlib calls.
func BenchmarkEvaluateStdlib(b *testing.B) {
	dir, cfg := project(b, map[string]string{
		FileName: "PATH_add bin\npath_add MYPATH lib\nhas sh\ndotenv_if_exists\nwatch_file a\nsource_env_if_exists x\nexport A=1\n",
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
