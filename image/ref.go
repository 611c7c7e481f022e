package image

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry"

	"github.com/noxenv/noxenv/cache"
)

// Reference is an image in a registry.
type Reference struct {
	// Registry is the HOST[:PORT] connected to.
	Registry string
	// Repository is the repository's name in the registry.
	Repository string
	// Tag or Digest names the image; either may be empty.
	Tag, Digest string
	// PlainHTTP is set for a registry without TLS.
	PlainHTTP bool
}

// Repo is the repository as cache.NewRepository takes it.
func (r Reference) Repo() string { return r.Registry + "/" + r.Repository }

func (r Reference) String() string {
	s := r.Repo()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// ParseReference reads a docker reference: HOST[:PORT]/REPO[:TAG][@DIGEST]
// (a name without a host is Docker Hub's, a name of one component one of
// its official images), with an optional docker:// or oci:// prefix, or
// oci+http:// for a registry over plain HTTP. Registries on a loopback
// host are spoken to over plain HTTP too.
func ParseReference(s string) (Reference, error) {
	var r Reference
	ref := s
	for _, p := range []string{"docker://", "oci://", "oci+http://"} {
		if rest, ok := strings.CutPrefix(ref, p); ok {
			ref, r.PlainHTTP = rest, p == "oci+http://"
			break
		}
	}
	if scheme, _, ok := strings.Cut(ref, "://"); ok {
		return Reference{}, fmt.Errorf("image reference %q: %s:// is not a reference's prefix: want HOST[:PORT]/REPO[:TAG], after oci+http:// for a registry without TLS", s, scheme)
	}
	first, _, hasSlash := strings.Cut(ref, "/")
	if !hasSlash || !strings.ContainsAny(first, ".:") && first != "localhost" {
		if !hasSlash {
			ref = "library/" + ref
		}
		ref = "docker.io/" + ref
	}
	parsed, err := registry.ParseReference(ref)
	if err == nil && parsed.Reference == "" && strings.HasSuffix(ref, ":") {
		err = errors.New(`invalid tag ""`)
	}
	if err != nil {
		return Reference{}, fmt.Errorf("image reference %q: %s", s, referenceProblem(err))
	}
	r.Registry, r.Repository = parsed.Registry, parsed.Repository
	if parsed.Reference != "" {
		if _, err := parsed.Digest(); err == nil {
			r.Digest = parsed.Reference
			// A tag before the digest is only a reminder.
		} else {
			r.Tag = parsed.Reference
		}
	}
	if r.Registry == "docker.io" {
		r.Registry = "registry-1.docker.io"
	}
	host, _, err := net.SplitHostPort(r.Registry)
	if err != nil {
		host = r.Registry
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); host == "localhost" || ip != nil && ip.IsLoopback() {
		r.PlainHTTP = true
	}
	return r, nil
}

// referenceProblem says what is wrong in a reference the registry
// library refused with err, and what it wants there.
func referenceProblem(err error) string {
	why := strings.TrimPrefix(err.Error(), errdef.ErrInvalidReference.Error()+": ")
	switch {
	case why == `invalid repository ""`:
	case strings.HasPrefix(why, "invalid repository"):
		return why + ": want lowercase letters and digits joined by '.', '_', '__' or dashes"
	case strings.HasPrefix(why, "invalid tag"):
		return why + ": want up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"
	case strings.HasPrefix(why, "invalid digest"):
		return why
	}
	return "want HOST[:PORT]/REPO[:TAG]"
}

// RegistryError is a registry's failure to give or take an image.
type RegistryError struct {
	Ref Reference
	Err error
}

func (e *RegistryError) Error() string { return fmt.Sprintf("registry %s: %v", e.Ref, e.Err) }

func (e *RegistryError) Unwrap() error { return e.Err }

// Hint says how to log in, when that is what failed.
func (e *RegistryError) Hint() string { return cache.CredentialsHint(e.Err) }
