package main

import "github.com/spf13/cobra"

// newProjectCmds returns allow, deny, lock, exec and shell.
func newProjectCmds(a *app) []*cobra.Command {
	return nil
}
