//go:build !front

package main

// noxenv's network and image code (binary caches, registries, images) is
// built into a second program, noxenv-oci: the libraries it needs (an OCI
// registry client, HTTP and TLS, zstd) cost every start of a program that
// links them about 2 ms of CPU in their package initialisers, which the
// prompt's export and every exec must not pay; so does the xz decoder of
// store add (its CRC tables). noxenv-oci is this package built with the
// tag oci: every command of noxenv, and cache, key, image and store add of
// an xz tarball running in-process, which noxenv hands over to it
// (oci_forward.go). Code needed by both builds lives in files without the
// tag.

import (
	"context"

	"github.com/noxenv/noxenv/store"
)

// ociProgram is the name noxenv-oci is installed under: in
// PREFIX/libexec/noxenv, or beside noxenv, or on PATH.
const ociProgram = "noxenv-oci"

// forwardAnnotation marks the stand-ins of the commands noxenv-oci runs.
const forwardAnnotation = "noxenv-oci"

// The descriptions of the commands noxenv-oci runs, which both builds'
// help lists.
const (
	cacheShort = "Push entries to binary caches and pull them from there"
	keyShort   = "Make the keys that sign what is pushed to caches"
	imageShort = "Build OCI images of profiles, projects and packages"
)

// substituter is the store's Fetcher: it fetches what no store holds from
// the substituters setting, which it reads only then, so that the hook's
// prompt reads no settings file while every entry is at hand.
type substituter struct{ a *app }

func (s substituter) Fetch(ctx context.Context, sp *store.SearchPath, ids []string) error {
	set, err := s.a.Settings()
	if err != nil || len(set.Substituters) == 0 {
		return err // without substituters, the caller says what is missing
	}
	return s.a.fetchIDs(ctx, sp, ids)
}

// FetchRequests fetches, from the substituters setting, an entry for each
// of reqs, chosen by name among those a trusted key signed.
func (s substituter) FetchRequests(ctx context.Context, sp *store.SearchPath, reqs []store.Request) (int, error) {
	set, err := s.a.Settings()
	if err != nil || len(set.Substituters) == 0 {
		return 0, err // without substituters, resolving says what is missing
	}
	return s.a.fetchRequests(ctx, sp, reqs)
}

// substituteAnswer is noxenv-oci's answer to noxenv's request to
// substitute (cache substitute, hidden): nothing when all went well, else
// the error, its hint, and for requests by name the index of the request
// that failed.
type substituteAnswer struct {
	Error string `json:"error,omitempty"`
	Hint  string `json:"hint,omitempty"`
	Index int    `json:"index,omitempty"`
}
