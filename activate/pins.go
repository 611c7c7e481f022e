package activate

import (
	"sort"

	"github.com/noxenv/noxenv/activate/prompt"
)

// LockedIDs returns the ids of the entries that the lock beside the
// .noxprofile file pins, sorted, each once; none without a lock.
func LockedIDs(file string) ([]string, error) {
	l, err := prompt.ReadLock(prompt.LockPath(file))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, p := range l.Packages {
		if !seen[p.ID] {
			seen[p.ID] = true
			ids = append(ids, p.ID)
		}
	}
	sort.Strings(ids)
	return ids, nil
}
