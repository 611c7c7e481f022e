package profile

import (
	"os"
	"path/filepath"
	"strings"
)

// Locate finds the profile ref names (as -p takes it): a path containing
// / is an ad hoc profile there (adhoc true); a name is the user's profile
// in userDir, or else the first release profile of that name in
// releaseDirs (read-only), or else the user profile to be. An invalid
// name is CheckName's error.
func Locate(ref, userDir string, releaseDirs []string) (p *Profile, adhoc bool, err error) {
	if strings.ContainsRune(ref, '/') {
		abs, err := filepath.Abs(ref)
		if err != nil {
			return nil, false, err
		}
		return &Profile{Path: abs}, true, nil
	}
	if err := CheckName(ref); err != nil {
		return nil, false, err
	}
	user := filepath.Join(userDir, ref)
	if _, err := os.Lstat(user); err != nil {
		for _, d := range releaseDirs {
			rel := filepath.Join(d, ref)
			if _, err := os.Lstat(rel); err == nil {
				return &Profile{Path: rel, ReadOnly: true}, false, nil
			}
		}
	}
	return &Profile{Path: user}, false, nil
}

// Listed is a profile as List finds it, with its current generation or
// the error that reading it gave (a broken profile).
type Listed struct {
	Name    string
	Profile *Profile
	Current *GenerationInfo
	Err     error
}

// List returns the user profiles of userDir, then the release profiles of
// each of releaseDirs (read-only), each directory's by name.
func List(userDir string, releaseDirs []string) ([]Listed, error) {
	var out []Listed
	for i, d := range append([]string{userDir}, releaseDirs...) {
		names, err := Names(d)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			p := &Profile{Path: filepath.Join(d, n), ReadOnly: i > 0}
			gi, err := p.Current()
			out = append(out, Listed{Name: n, Profile: p, Current: gi, Err: err})
		}
	}
	return out, nil
}
