package main

import "github.com/spf13/cobra"

func newProfileCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "profile", Short: "Manage profiles and their generations"}
}
