package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// AdHocRootsDir is where, under the state directory, ad hoc profiles are
// registered as gc roots.
const AdHocRootsDir = "roots/adhoc"

// RegisterAdHoc records the ad hoc profile at path as a gc root under
// stateDir; a root whose profile no longer exists is pruned by gc.
//
// The root is roots/adhoc/KEY, a symlink to the profile's absolute path,
// KEY a hash of that path: registering again changes nothing.
func RegisterAdHoc(stateDir, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(abs))
	dir := filepath.Join(stateDir, AdHocRootsDir)
	root := filepath.Join(dir, hex.EncodeToString(sum[:])[:32])
	if t, err := os.Readlink(root); err == nil && t == abs {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("register %s: %w", abs, err)
	}
	if err := symlinkAtomic(abs, root); err != nil {
		return fmt.Errorf("register %s: %w", abs, err)
	}
	return nil
}
