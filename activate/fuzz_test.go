package activate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/activate/prompt"
)

// FuzzEvaluate runs arbitrary scripts with noxenv's builtins: evaluation
// never panics and always ends within its time bound.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range []string{
		"export A=1\nunset B\n",
		"PATH_add bin\npath_add VAR a b\nMANPATH_add man\n",
		"dotenv\ndotenv_if_exists x.env\nwatch_file a b\n",
		"source_env sub\nsource_up\n",
		"log_status hello $A\n",
		"use\nuse a b c\nuse_profile\nuse_profile ../x\n",
		"f() { PATH_add \"$@\"; }\nf x y\nexport C=$(PATH_add z; echo $PATH)\n",
		"while :; do :; done\n",
		"export A=\"$(printf '\\001\\n')\"\ncd ..\nPATH_add .\n",
		"dotenv .env\n",
		"if then fi\n",
		"exit 3\n",
		"source_env .noxprofile\n",
		"( use a )\nexport X=$(use b; echo $PATH)\nexport __noxenv_packages=7\n",
		"export A=\"${!P*} ${!A} $RANDOM\"\neval 'export B=$$'\n",
	} {
		f.Add(seed, "A=1\nB='x y'\nexport C=$A\n")
	}
	f.Fuzz(func(t *testing.T, script, dotenv string) {
		dir, cfg := project(t, map[string]string{prompt.FileName: script, ".env": dotenv, "sub/" + prompt.FileName: script})
		cfg.Settings = evalTimeout(500 * time.Millisecond)
		file := allowed(t, cfg, dir)
		allow(t, cfg, filepath.Join(dir, "sub", prompt.FileName))
		start := time.Now()
		res, _, err := evaluate(context.Background(), cfg, file, map[string]string{"PATH": "/usr/bin:/bin", "HOME": dir}, options{sandbox: true})
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("evaluation took %v", d)
		}
		if err != nil {
			return
		}
		for k, v := range res.Env {
			if k == "" || k == stateVar || strings.ContainsRune(k, '=') || strings.ContainsRune(v, 0) {
				t.Fatalf("bad variable %q=%q", k, v)
			}
		}
		_ = os.RemoveAll(dir)
	})
}
