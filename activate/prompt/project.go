package prompt

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
)

// ProjectDir returns the state directory of the project whose .noxprofile
// is file: StateDir/projects/KEY, KEY derived from the project
// directory's absolute path.
func ProjectDir(stateDir, file string) string {
	sum := sha256.Sum256([]byte(filepath.Dir(file)))
	return filepath.Join(stateDir, "projects", hex.EncodeToString(sum[:16]))
}

// ProfileLink is the link of the profile whose current generation is the
// project's.
func ProfileLink(stateDir, file string) string {
	return filepath.Join(ProjectDir(stateDir, file), "profile")
}
