package front

import (
	"os"
	"path/filepath"
	"strings"
)

// LookPath finds the program name as a shell does: a name with a slash as
// a path from cwd, any other in the directories of path, a colon-separated
// list (an empty entry, or a relative one, from cwd).
func LookPath(cwd, path, name string) (string, bool) {
	if strings.Contains(name, "/") {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(cwd, p)
		}
		return p, isProgram(p)
	}
	dirs := filepath.SplitList(path)
	if len(dirs) == 0 {
		dirs = []string{""}
	}
	for _, d := range dirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(cwd, d)
		}
		if p := filepath.Join(d, name); isProgram(p) {
			return p, true
		}
	}
	return "", false
}

// isProgram reports whether p is a file, not a directory, that someone may
// execute.
func isProgram(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
