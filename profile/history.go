package profile

import (
	"fmt"
	"strings"
)

// Summary says in words what generation g added and removed: "+NAME V"
// for a member added, "-NAME V" for one removed, "NAME OLD -> NEW" for a
// new version, "NAME V (changed)" for another entry of the same version.
func (g GenerationInfo) Summary() string {
	var parts []string
	removed := map[string]Member{}
	for _, m := range g.Removed {
		removed[m.Name] = m
	}
	for _, m := range g.Added {
		if old, ok := removed[m.Name]; ok {
			delete(removed, m.Name)
			if old.Version != m.Version {
				parts = append(parts, fmt.Sprintf("%s %s -> %s", m.Name, old.Version, m.Version))
			} else {
				parts = append(parts, fmt.Sprintf("%s %s (changed)", m.Name, m.Version))
			}
			continue
		}
		parts = append(parts, fmt.Sprintf("+%s %s", m.Name, m.Version))
	}
	for _, m := range g.Removed {
		if _, ok := removed[m.Name]; ok {
			parts = append(parts, fmt.Sprintf("-%s %s", m.Name, m.Version))
		}
	}
	return strings.Join(parts, ", ")
}
