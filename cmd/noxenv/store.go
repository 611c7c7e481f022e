package main

import "github.com/spf13/cobra"

func newStoreCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "store", Short: "Manage package stores and their entries"}
}
