package activate

import (
	"os"
	"path/filepath"
)

// Find returns the nearest .noxprofile in dir or its parents, or "" when
// there is none. Directories that cannot be read are passed over.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, FileName)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}
