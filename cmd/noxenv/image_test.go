//go:build oci

package main

import (
	"regexp"
	"strings"
	"testing"
)

// dockerRepoComponent is a path component of a repository name as docker
// and the distribution registry take it.
var dockerRepoComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$`)

// An image's name, made of a profile's, project's or package's, is one
// docker load and podman load take, however odd the name it is made of.
func TestOCIRepoName(t *testing.T) {
	for name, want := range map[string]string{
		"project":                       "project",
		"My Project!":                   "my-project",
		"a..b":                          "a-b",
		"a._b":                          "a-b",
		"a___b":                         "a-b",
		"a__b":                          "a__b",
		"a--b":                          "a--b",
		"a-.b":                          "a-b",
		"python3.11":                    "python3.11",
		"g++":                           "g",
		"Ünïcode":                       "n-code",
		"..._":                          "noxenv-image",
		"":                              "noxenv-image",
		strings.Repeat("x", 300):        strings.Repeat("x", 128),
		strings.Repeat("x", 127) + "-y": strings.Repeat("x", 127),
	} {
		got := repoName(name)
		if got != want {
			t.Errorf("repoName(%q) = %q, want %q", name, got, want)
		}
		if !dockerRepoComponent.MatchString(got) {
			t.Errorf("repoName(%q) = %q, not a repository name", name, got)
		}
	}
}
