package main

// noxenv's network and image code (binary caches, registries, images) is
// built into a second program, noxenv-oci: the libraries it needs (an OCI
// registry client, HTTP and TLS, zstd) cost every start of a program that
// links them about 2 ms of CPU in their package initialisers, which the
// prompt's export and every exec must not pay. noxenv-oci is this package
// built with the tag oci: every command of noxenv, and cache, key and image
// running in-process, which noxenv hands over to it (oci_forward.go).
// Code needed by both builds lives in files without the tag.

import (
	"context"
	"errors"
	"fmt"

	"github.com/noxenv/noxenv/profile"
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
	set, err := s.a.settings()
	if err != nil || len(set.Substituters) == 0 {
		return err // without substituters, the caller says what is missing
	}
	return s.a.fetchIDs(ctx, sp, ids)
}

// substituteUses fetches, from the substituters, an entry for each use
// line of an imported profile that no store satisfies: by name, so only
// an entry signed by a trusted key.
func (a *app) substituteUses(ctx context.Context, uses []profile.Use) error {
	sp, release, err := a.guardedStores()
	if err != nil {
		return err
	}
	defer release()
	var missing []profile.Use
	for _, u := range uses {
		// An error other than not found is said again by resolving.
		if _, err := sp.Resolve(u.Request); errors.Is(err, store.ErrNotFound) {
			missing = append(missing, u)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	set, err := a.settings()
	if err != nil || len(set.Substituters) == 0 {
		return err
	}
	reqs := make([]store.Request, len(missing))
	for i, u := range missing {
		reqs[i] = u.Request
	}
	if i, err := a.fetchRequests(ctx, sp, reqs); err != nil {
		return fmt.Errorf("%s: %w", missing[i].Pos, err)
	}
	return nil
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
