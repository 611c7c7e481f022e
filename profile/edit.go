package profile

import (
	"fmt"

	"github.com/noxenv/noxenv/store"
)

// The changes a command makes to a profile's member set: each returns the
// new members from the current ones, and what gave way to what.

// Change is a member giving way to another of its name (or taking another
// priority).
type Change struct{ Old, New Member }

// String says what the change does: upgrading, downgrading, replacing
// with another entry of the same version, or a new priority.
func (c Change) String() string {
	old, m := c.Old, c.New
	switch v := store.CompareVersions(m.Version, old.Version); {
	case v > 0:
		return fmt.Sprintf("upgrading %s from %s to %s", m.Name, old.Version, m.Version)
	case v < 0:
		return fmt.Sprintf("downgrading %s from %s to %s", m.Name, old.Version, m.Version)
	case old.ID != m.ID:
		return fmt.Sprintf("replacing %s %s (%s) with %s", m.Name, old.Version, old.ID, m.ID)
	}
	return fmt.Sprintf("%s %s: priority %d, was %d", m.Name, m.Version, m.Priority, old.Priority)
}

// DuplicateNameError is two packages of one name asked for at once.
type DuplicateNameError struct{ First, Second, Name string }

func (e *DuplicateNameError) Error() string {
	return fmt.Sprintf("%s and %s are both %s: a profile holds one package of a name", e.First, e.Second, e.Name)
}

// NotMemberError is a name that is not a member of the profile.
type NotMemberError struct{ Name string }

func (e *NotMemberError) Error() string { return e.Name + " is not a member" }

// NewMember is the member for pkg (as the command line takes it), found
// as e. Its request, what upgrade re-resolves, is pkg itself when it is
// NAME[@CONSTRAINT], else (an id or a path) exactly e's version.
func NewMember(pkg string, e store.Ref) Member {
	var req string
	if r, err := store.ParseRequest(pkg); err == nil && r.Name == e.Name {
		req = r.String()
	} else {
		req = e.Name + "@=" + e.Version
	}
	return Member{Name: e.Name, Version: e.Version, Request: req, ID: e.ID, Priority: DefaultPriority}
}

// AddMembers puts each of pkgs, found as found says
// (store.SearchPath.LocateAll), in place of the member of its name,
// keeping that member's priority unless priority is given (not nil). The
// first PKG not found is the error; two of pkgs of one name are a
// *DuplicateNameError. Members come without their entries (Realize reads
// them only if it builds).
func AddMembers(found []store.Found, cur []Member, pkgs []string, priority *int) ([]Member, []Change, error) {
	ed := editMembers(cur, len(pkgs))
	// by holds, at each index of ed.out, 1 + the index of the pkg that
	// put the member there, or 0.
	by := make([]int, len(cur)+len(pkgs))
	for k, pkg := range pkgs {
		e, err := found[k].Ref, found[k].Err
		if err != nil {
			return nil, nil, err
		}
		m := NewMember(pkg, e)
		if i, ok := ed.at[m.Name]; ok {
			if by[i] > 0 {
				return nil, nil, &DuplicateNameError{First: pkgs[by[i]-1], Second: pkg, Name: e.Name}
			}
			m.Priority = ed.out[i].Priority
		}
		if priority != nil {
			m.Priority = *priority
		}
		by[ed.put(m)] = k + 1
	}
	return ed.out, ed.changes, nil
}

// RemoveMembers returns cur without the members named; a name that is
// none is a *NotMemberError.
func RemoveMembers(cur []Member, names []string) ([]Member, error) {
	if err := checkMembers(cur, names); err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	var ms []Member
	for _, m := range cur {
		if !drop[m.Name] {
			ms = append(ms, m)
		}
	}
	return ms, nil
}

// UpgradeMembers re-resolves the requests of the members named (all when
// names is empty) in sp; a name that is no member is a *NotMemberError.
// No change means nothing to upgrade.
func UpgradeMembers(sp *store.SearchPath, cur []Member, names []string) ([]Member, []Change, error) {
	if err := checkMembers(cur, names); err != nil {
		return nil, nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var add []Member
	for _, m := range cur {
		if len(names) > 0 && !want[m.Name] {
			continue
		}
		req, err := store.ParseRequest(m.Request)
		if err != nil {
			return nil, nil, fmt.Errorf("member %s: %w", m.Name, err)
		}
		e, err := sp.Resolve(req)
		if err != nil {
			return nil, nil, fmt.Errorf("member %s: %w", m.Name, err)
		}
		m.ID, m.Version, m.Entry = e.ID, e.Version, e
		add = append(add, m)
	}
	ms, changes := setMembers(cur, add)
	return ms, changes, nil
}

// checkMembers returns a *NotMemberError for the first of names that is
// not a member of ms.
func checkMembers(ms []Member, names []string) error {
	for _, n := range names {
		if _, ok := memberNamed(ms, n); !ok {
			return &NotMemberError{Name: n}
		}
	}
	return nil
}

func memberNamed(ms []Member, name string) (Member, bool) {
	for _, m := range ms {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}

// setMembers returns cur with each of add in place of the member of its
// name (appended when there is none), and the changes of entry or
// priority this makes.
func setMembers(cur, add []Member) ([]Member, []Change) {
	ed := editMembers(cur, len(add))
	for _, m := range add {
		ed.put(m)
	}
	return ed.out, ed.changes
}

// memberEdit is a change of a member list: each member put takes the
// place of the member of its name, or is appended when there is none.
type memberEdit struct {
	out []Member
	// at is the index in out of the first member of each name.
	at map[string]int
	// changes are those of entry or priority the puts made.
	changes []Change
}

// editMembers starts a change of cur, to which n members may be added.
func editMembers(cur []Member, n int) *memberEdit {
	ed := &memberEdit{out: make([]Member, len(cur), len(cur)+n), at: make(map[string]int, len(cur)+n)}
	copy(ed.out, cur)
	for i, m := range cur {
		if _, ok := ed.at[m.Name]; !ok {
			ed.at[m.Name] = i
		}
	}
	return ed
}

// put puts m in place of the member of its name, or appends it, and
// returns its index in ed.out.
func (ed *memberEdit) put(m Member) int {
	i, ok := ed.at[m.Name]
	if !ok {
		ed.at[m.Name] = len(ed.out)
		ed.out = append(ed.out, m)
		return len(ed.out) - 1
	}
	if old := ed.out[i]; old.ID != m.ID || old.Priority != m.Priority {
		ed.changes = append(ed.changes, Change{Old: old, New: m})
	}
	ed.out[i] = m
	return i
}
