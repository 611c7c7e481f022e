package image

import (
	"slices"
	"strings"
)

// ProfileDir is where an image holds the generation's tree.
const ProfileDir = "/noxenv/profile"

// environ returns the image's environment as sorted NAME=VALUE pairs:
// start (the base image's environment, or none) with what turned from
// into env on this machine, the generation's directory genDir read as
// ProfileDir.
//
// A variable equal in from and env is the builder's, not the image's,
// and stays out. A list that env extends at the front or back of from's
// value extends start's value the same way. PATH keeps only directories
// the image has: in ProfileDir, in an entry (inImage), or on start's PATH.
func environ(env, from, start map[string]string, genDir string, inImage func(dir string) bool) []string {
	out := map[string]string{}
	for k, v := range start {
		out[k] = v
	}
	for k := range from {
		if _, ok := env[k]; !ok {
			delete(out, k)
		}
	}
	for k, v := range env {
		old, had := from[k]
		if had && v == old {
			continue
		}
		if had && old != "" {
			if front, ok := strings.CutSuffix(v, ":"+old); ok {
				v = joinList(front, start[k])
			} else if back, ok := strings.CutPrefix(v, old+":"); ok {
				v = joinList(start[k], back)
			}
		}
		out[k] = relocate(v, genDir)
	}
	if p, ok := out["PATH"]; ok {
		startPath := strings.Split(start["PATH"], ":")
		var keep []string
		for _, d := range strings.Split(p, ":") {
			if d != "" && !slices.Contains(keep, d) && (within(d, ProfileDir) || inImage(d) || slices.Contains(startPath, d)) {
				keep = append(keep, d)
			}
		}
		out["PATH"] = strings.Join(keep, ":")
	}
	pairs := make([]string, 0, len(out))
	for k, v := range out {
		pairs = append(pairs, k+"="+v)
	}
	slices.Sort(pairs)
	return pairs
}

// joinList joins two ":"-separated lists, either of which may be empty.
func joinList(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + ":" + b
}

// within reports whether path is dir or lies under it.
func within(path, dir string) bool {
	rest, ok := strings.CutPrefix(path, dir)
	return ok && (rest == "" || rest[0] == '/')
}

// relocate replaces genDir in v, wherever it is a whole path or a path's
// beginning, by ProfileDir.
func relocate(v, genDir string) string {
	if genDir == "" {
		return v
	}
	var b strings.Builder
	for {
		i := strings.Index(v, genDir)
		if i < 0 {
			b.WriteString(v)
			return b.String()
		}
		end := i + len(genDir)
		b.WriteString(v[:i])
		if end == len(v) || !isNameByte(v[end]) {
			b.WriteString(ProfileDir)
		} else {
			b.WriteString(genDir)
		}
		v = v[end:]
	}
}

// isNameByte reports whether c may continue a file name, so that a path
// followed by it is not a whole path.
func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
