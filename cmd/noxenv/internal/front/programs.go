package front

import (
	"os"
	"path/filepath"
)

// InstalledProgram returns the path of name, a program installed with
// noxenv: in PREFIX/libexec/noxenv when this program is PREFIX/bin/noxenv
// (as install.sh lays them out: noxenv-prompt, noxenv-oci), beside it, in
// PREFIX/bin when this program is in PREFIX/libexec/noxenv (noxenv, for
// noxenv-prompt), or on the PATH of the environment env; "" when there is
// none.
func InstalledProgram(name string, env map[string]string) string {
	if self, err := os.Executable(); err == nil {
		if self, err := filepath.EvalSymlinks(self); err == nil {
			dir := filepath.Dir(self)
			for _, p := range []string{filepath.Join(dir, "..", "libexec", "noxenv", name), filepath.Join(dir, name), filepath.Join(dir, "..", "..", "bin", name)} {
				if isProgram(p) {
					return filepath.Clean(p)
				}
			}
		}
	}
	// A working directory removed has no path: only PATH's absolute
	// entries can then be searched.
	cwd, _ := os.Getwd()
	if p, ok := LookPath(cwd, env["PATH"], name); ok {
		return p
	}
	return ""
}
