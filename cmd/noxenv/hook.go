package main

import "github.com/spf13/cobra"

// newHookCmds returns hook, export, status and reload.
func newHookCmds(a *app) []*cobra.Command {
	return nil
}
