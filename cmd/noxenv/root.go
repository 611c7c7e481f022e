package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "noxenv",
		Short:         "Per-project package environments with stores, profiles and shell hooks",
		SilenceErrors: true,
		SilenceUsage:  true,
		// Unknown subcommands of a group are usage errors too.
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetIn(a.stdin)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	storeCmd := newStoreCmd(a)
	storeCmd.AddCommand(newSurveyCmd(a))
	root.AddCommand(newVersionCmd(a), storeCmd, newProfileCmd(a), newGCCmd(a))
	root.AddCommand(newProjectCmds(a)...)
	root.AddCommand(newHookCmds(a)...)
	for _, c := range root.Commands() {
		markGroups(c)
	}
	return root
}

// markGroups makes a command group without its own action fail with a usage
// error on an unknown subcommand, rather than printing help and exiting 0.
func markGroups(c *cobra.Command) {
	if c.RunE == nil && c.Run == nil {
		c.Args = args(cobra.NoArgs)
		c.RunE = func(cmd *cobra.Command, args []string) error {
			return usageError{fmt.Errorf("%s: a subcommand is required", cmd.CommandPath())}
		}
	}
	for _, sub := range c.Commands() {
		markGroups(sub)
	}
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of noxenv",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(a.stdout, "noxenv %s\n", version)
			return err
		},
	}
}
