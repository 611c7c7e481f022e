package profile

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"

	"github.com/noxenv/noxenv/store"
)

// RecordOwner names the records that the roots under stateDir leave in
// shared stores: the user's uid and a digest of the state directory, so a
// user with several state directories has several owners, each kept alive.
func RecordOwner(stateDir string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(stateDir)))
	return fmt.Sprintf("%d-%x", os.Getuid(), sum[:6])
}

// recordShared records in the shared stores of sp what g keeps alive, as
// a root of the state directory holding gensDir, so that another user's gc
// keeps it. Realize calls it while its caller holds Guard(false).
func recordShared(sp *store.SearchPath, gensDir string, g *Generation) error {
	paths := make([]string, len(g.Entries))
	for i, e := range g.Entries {
		paths[i] = e.Path
	}
	return sp.RecordRoots(RecordOwner(filepath.Dir(gensDir)), filepath.Base(g.Dir), paths)
}
