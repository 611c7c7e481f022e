package profile

import (
	"path/filepath"

	"github.com/noxenv/noxenv/store"
)

// GenerationsDir is where generations are built under the state directory.
func GenerationsDir(stateDir string) string { return filepath.Join(stateDir, "generations") }

// Change makes a new generation of p under stateDir: members gets the
// current members and returns the new ones, entries of sp. The stores'
// shared gc guard is held from before the first lookup until the
// generation is linked, so that gc takes nothing of it meanwhile; an ad
// hoc profile (adhoc true) is registered as a root first. A read-only
// profile is a *ReadOnlyError and changes nothing.
func (p *Profile) Change(sp *store.SearchPath, stateDir string, adhoc bool, members func(cur []Member) ([]Member, error)) (*GenerationInfo, error) {
	if p.ReadOnly {
		return nil, &ReadOnlyError{Path: p.Path}
	}
	release, err := sp.Guard(false)
	if err != nil {
		return nil, err
	}
	defer release()
	if adhoc {
		if err := RegisterAdHoc(stateDir, p.Path); err != nil {
			return nil, err
		}
	}
	return p.Update(func(cur []Member) (*Generation, error) {
		ms, err := members(cur)
		if err != nil {
			return nil, err
		}
		return realize(sp, GenerationsDir(stateDir), ms, reuseDir)
	})
}
