package front

import (
	"os/exec"
	"strings"
	"testing"
)

// Answer's speed is in what this package links: neither the shell
// interpreter, cobra, the TOML parser, regexp, net nor text/template
// (export_early.txtar checks, at run time, that an answer initializes
// none of them), nor encoding/json and compress/flate, which made
// noxenv-prompt a seventh larger (see activate/lock.go).
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, heavy := range []string{"mvdan.cc/sh/v3", "github.com/spf13", "github.com/pelletier/go-toml", "regexp", "net", "text/template", "encoding/json", "compress/flate"} {
			if p == heavy || strings.HasPrefix(p, heavy+"/") {
				t.Errorf("package front depends on %s", p)
			}
		}
	}
}
