//go:build oci

package main

import (
	"io"

	"github.com/ulikunitz/xz"

	"github.com/noxenv/noxenv/store"
)

// readXZ gives store add its reader of xz tarballs. Only noxenv-oci links
// the decoder, whose package initialisation builds CRC tables (32 KB) at
// every start of a program that links it; noxenv hands store add of an
// xz tarball over to noxenv-oci (oci_forward.go).
func (a *app) readXZ(_ string, opts *store.AddOptions) error {
	opts.Unxz = func(r io.Reader) (io.Reader, error) { return xz.NewReader(r) }
	return nil
}
