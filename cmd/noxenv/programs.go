//go:build !oci

package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

// installedProgram returns the path of name, a program installed with
// noxenv (noxenv-full, noxenv-oci): in PREFIX/libexec/noxenv when noxenv
// is PREFIX/bin/noxenv (as install.sh lays them out), beside noxenv, or on
// PATH; "" when there is none.
func installedProgram(name string) string {
	if self, err := os.Executable(); err == nil {
		if self, err := filepath.EvalSymlinks(self); err == nil {
			dir := filepath.Dir(self)
			for _, p := range []string{filepath.Join(dir, "..", "libexec", "noxenv", name), filepath.Join(dir, name)} {
				if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
					return filepath.Clean(p)
				}
			}
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return ""
}
