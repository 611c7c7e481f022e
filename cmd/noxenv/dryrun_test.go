//go:build !front

package main

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/settings/tomlfile"
)

// Every command that takes --dry-run takes -n too.
func TestDryRunShorthand(t *testing.T) {
	var walk func(c *cobra.Command) int
	walk = func(c *cobra.Command) int {
		n := 0
		if f := c.Flags().Lookup("dry-run"); f != nil {
			n++
			if f.Shorthand != "n" {
				t.Errorf("%s: --dry-run has no -n", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			n += walk(sub)
		}
		return n
	}
	if n := walk(newRootCmd(newApp(tomlfile.Decode), nil)); n < 2 {
		t.Errorf("%d commands take --dry-run, want gc and profile delete-generations at least", n)
	}
}
