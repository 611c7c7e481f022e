package store

import (
	"fmt"
	"strings"
)

// Request is NAME or NAME@CONSTRAINT.
type Request struct {
	Name       string
	Constraint string // "" for any version
}

// ParseRequest parses NAME, NAME@CONSTRAINT.
func ParseRequest(s string) (Request, error) {
	name, c, _ := strings.Cut(s, "@")
	if err := CheckName(name); err != nil {
		return Request{}, fmt.Errorf("package %q: %w", s, err)
	}
	if _, err := ParseConstraint(c); err != nil {
		return Request{}, fmt.Errorf("package %q: %w", s, err)
	}
	return Request{Name: name, Constraint: c}, nil
}

// String returns the request as the user writes it.
func (r Request) String() string {
	if r.Constraint == "" {
		return r.Name
	}
	return r.Name + "@" + r.Constraint
}

// Matches says whether an entry of that name and version satisfies r.
// A constraint that does not parse matches nothing.
func (r Request) Matches(name, version string) bool {
	c, err := ParseConstraint(r.Constraint)
	return err == nil && name == r.Name && c.Match(version)
}
