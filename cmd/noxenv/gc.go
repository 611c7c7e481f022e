package main

import "github.com/spf13/cobra"

func newGCCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "gc", Short: "Delete what no root keeps alive"}
}
