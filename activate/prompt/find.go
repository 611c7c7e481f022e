package prompt

import (
	"os"
	"path/filepath"
)

// FileName is the name of a project's environment file.
const FileName = ".noxprofile"

// EnvrcName is direnv's project file, noxenv's too where the load-envrc
// setting is on and its directory has no .noxprofile.
const EnvrcName = ".envrc"

// Find returns the project file of dir: the nearest .noxprofile in dir or
// its parents or, where loadEnvrc says the load-envrc setting is on, the
// nearest .envrc, a directory's .noxprofile winning over its .envrc. It
// returns "" when there is none. loadEnvrc is called only once an .envrc
// is met, so that the setting costs nothing where there is none; nil means
// the setting is off. Directories that cannot be read are passed over.
func Find(dir string, loadEnvrc func() (bool, error)) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if p := filepath.Join(dir, FileName); isFile(p) {
			return p, nil
		}
		if p := filepath.Join(dir, EnvrcName); loadEnvrc != nil && isFile(p) {
			on, err := loadEnvrc()
			if err != nil {
				return "", err
			}
			if on {
				return p, nil
			}
			loadEnvrc = nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// IgnoredEnvrc is an .envrc that is not its directory's project file.
type IgnoredEnvrc struct {
	Path string `json:"path"`
	// Why: a .noxprofile beside it wins, or the setting is off.
	Why string `json:"why"`
}

// Ignored returns the .envrc files that the search from dir for its
// project file, found by Find ("" for none), passed over: the one beside a
// .noxprofile, and those the load-envrc setting being off left out, nearest
// first.
func Ignored(dir, found string) []IgnoredEnvrc {
	var out []IgnoredEnvrc
	for d := filepath.Clean(dir); filepath.IsAbs(d); d = filepath.Dir(d) {
		p := filepath.Join(d, EnvrcName)
		if p == found {
			break
		}
		if isFile(p) {
			why := "load-envrc is off"
			if found == filepath.Join(d, FileName) {
				why = FileName + " takes precedence"
			}
			out = append(out, IgnoredEnvrc{Path: p, Why: why})
		}
		if d == filepath.Dir(found) || d == filepath.Dir(d) {
			break
		}
	}
	return out
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
