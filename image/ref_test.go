package image

import "testing"

func TestParseReference(t *testing.T) {
	cases := []struct {
		in, want string
		plain    bool
	}{
		{"registry.example.org/team/app:1.0", "registry.example.org/team/app:1.0", false},
		{"registry.example.org:5000/app", "registry.example.org:5000/app", false},
		{"oci+http://registry.example.org/team/app:1", "registry.example.org/team/app:1", true},
		{"oci://registry.example.org/app", "registry.example.org/app", false},
		{"docker://ghcr.io/org/app:v2", "ghcr.io/org/app:v2", false},
		{"127.0.0.1:5000/app:x", "127.0.0.1:5000/app:x", true},
		{"localhost:5000/app", "localhost:5000/app", true},
		{"localhost/app", "localhost/app", true},
		{"[::1]:5000/app", "[::1]:5000/app", true},
		{"busybox:1.36", "registry-1.docker.io/library/busybox:1.36", false},
		{"docker.io/library/debian", "registry-1.docker.io/library/debian", false},
		{"ada/tools:2", "registry-1.docker.io/ada/tools:2", false},
		{"ghcr.io/org/app@sha256:0123456789012345678901234567890123456789012345678901234567890123", "ghcr.io/org/app@sha256:0123456789012345678901234567890123456789012345678901234567890123", false},
	}
	for _, tc := range cases {
		r, err := ParseReference(tc.in)
		if err != nil || r.String() != tc.want || r.PlainHTTP != tc.plain {
			t.Errorf("%s: %s (plain HTTP %v), %v; want %s (%v)", tc.in, r, r.PlainHTTP, err, tc.want, tc.plain)
		}
	}
	for _, bad := range []string{"", "Registry.example.org/UPPER", "host/repo:bad tag", "host/", "host:5000/repo:"} {
		if r, err := ParseReference(bad); err == nil {
			t.Errorf("%q: parsed as %s", bad, r)
		}
	}
}

// A reference that is not one says what is wrong with it.
func TestParseReferenceErrors(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:5000/Team/App:1": `image reference "127.0.0.1:5000/Team/App:1": invalid repository "Team/App": want lowercase letters and digits joined by '.', '_', '__' or dashes`,
		"host.org/a..b":             `image reference "host.org/a..b": invalid repository "a..b": want lowercase letters and digits joined by '.', '_', '__' or dashes`,
		"host.org/app:bad tag":      `image reference "host.org/app:bad tag": invalid tag "bad tag": want up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`,
		"host.org/app:":             `image reference "host.org/app:": invalid tag "": want up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`,
		"host.org/":                 `image reference "host.org/": want HOST[:PORT]/REPO[:TAG]`,
		"https://host.org/app":      `image reference "https://host.org/app": https:// is not a reference's prefix: want HOST[:PORT]/REPO[:TAG], after oci+http:// for a registry without TLS`,
	} {
		if _, err := ParseReference(in); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", in, err, want)
		}
	}
}

// A reference parsed and written out parses into itself.
func FuzzParseReference(f *testing.F) {
	f.Add("registry.example.org/team/app:1.0")
	f.Add("oci+http://127.0.0.1:5000/a/b@sha256:0123456789012345678901234567890123456789012345678901234567890123")
	f.Add("busybox")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReference(s)
		if err != nil {
			return
		}
		prefix := ""
		if r.PlainHTTP {
			prefix = "oci+http://"
		}
		back, err := ParseReference(prefix + r.String())
		if err != nil || back != r {
			t.Fatalf("%q: %+v written %q reads %+v, %v", s, r, r.String(), back, err)
		}
	})
}
