//go:build oci

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/cache"
	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
)

func newKeyCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "key", Short: keyShort}
	c.AddCommand(newKeyGenerateCmd(a))
	return c
}

func newKeyGenerateCmd(a *app) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "generate NAME [-o FILE]",
		Short: "Make a signing key pair: the secret key to a file, the public key on stdout",
		Long: `Make an ed25519 key pair named NAME. The secret key goes to FILE (default
$XDG_CONFIG_HOME/noxenv/keys/NAME.secret), readable by you only and never
overwritten; the public key, NAME:BASE64, is printed for the
trusted-public-keys setting of the machines that pull.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			sec, pub, err := cache.GenerateKey(argv[0])
			if err != nil {
				return front.UsageError{Err: err}
			}
			if out == "" {
				out = filepath.Join(a.Loc.KeysDir, argv[0]+".secret")
				if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
					return err
				}
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, fs.ErrExist) {
				return &keyExistsError{out}
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(f, sec)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(out)
				return err
			}
			a.Logf("secret key written to %s", out)
			_, err = fmt.Fprintln(a.Stdout, pub)
			return err
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "the file to write the secret key to")
	return c
}

// keyExistsError is a secret key file that generate would overwrite.
type keyExistsError struct{ path string }

func (e *keyExistsError) Error() string {
	return fmt.Sprintf("%s exists: a secret key is never overwritten", e.path)
}

func (e *keyExistsError) Hint() string { return "choose another file with -o FILE, or remove it first" }
