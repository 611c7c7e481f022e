//go:build !front

package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"mvdan.cc/sh/v3/syntax"

	"github.com/noxenv/noxenv/activate"
	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
)

func newFetchurlCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "fetchurl URL [INTEGRITY]",
		Short: "Fetch a URL into noxenv's content-addressed cache and print its path",
		Long: "Fetch URL into noxenv's content-addressed cache, as fetchurl does in a\n" +
			"project file. With INTEGRITY (sha256-BASE64, or sha384-, sha512-), print the\n" +
			"path of the content once verified; without, print the content's integrity.\n" +
			"What the cache holds is not fetched again.",
		Args: args(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if len(argv) == 1 {
				i, err := activate.FetchURLIntegrity(cmd.Context(), a.Loc.CacheDir, a.download, argv[0])
				if err != nil {
					return err
				}
				if q, err := syntax.Quote(argv[0], syntax.LangPOSIX); err == nil {
					a.Logf("its path: noxenv fetchurl %s %s", q, i)
				}
				_, err = fmt.Fprintln(a.Stdout, i)
				return err
			}
			want, err := activate.ParseIntegrity(argv[1])
			if err != nil {
				return front.UsageError{Err: err}
			}
			p, err := activate.FetchURL(cmd.Context(), a.Loc.CacheDir, a.download, argv[0], want)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.Stdout, p)
			return err
		},
	}
}
