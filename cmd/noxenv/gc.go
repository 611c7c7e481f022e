package main

import "github.com/spf13/cobra"

func newGCCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "gc", Short: "Delete what no root keeps alive"}
}

// newSurveyCmd is `noxenv store survey`.
func newSurveyCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "survey", Short: "List every root and the entries it keeps alive"}
}
