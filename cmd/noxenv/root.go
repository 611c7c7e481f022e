//go:build !front

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/noxenv/noxenv/activate"
	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
	"github.com/noxenv/noxenv/settings/tomlfile"
	"github.com/noxenv/noxenv/store"
)

// command is one of noxenv's top-level commands: the name users type and
// the function that builds it, with any subcommands that files other than
// its group's own add to it.
type command struct {
	name string
	new  func(*app) *cobra.Command
	subs []func(*app) *cobra.Command
}

// commands are noxenv's top-level commands (help lists them sorted).
//
// To add one, write its constructor in the file of its group (one file per
// group) and add a line here with the name users type, the first word of
// its Use (TestCommandNames checks it); a subcommand that another file adds
// to an existing group goes in that group's subs. Nothing else is needed:
// newRootCmd builds only the command named on the command line when there
// is one, so that a command costs nothing to the others (the prompt's
// export, exec); help, completion and anything else get them all.
var commands = []command{
	{name: "version", new: newVersionCmd},
	{name: "store", new: newStoreCmd, subs: []func(*app) *cobra.Command{newSurveyCmd, newReleaseCmd}},
	{name: "profile", new: newProfileCmd},
	{name: "gc", new: newGCCmd},
	{name: "allow", new: newAllowCmd},
	{name: "deny", new: newDenyCmd},
	{name: "lock", new: newLockCmd},
	{name: "exec", new: newExecCmd},
	{name: "shell", new: newShellCmd},
	{name: "hook", new: newHookCmd},
	{name: "export", new: newExportCmd},
	{name: "status", new: newStatusCmd},
	{name: "reload", new: newReloadCmd},
	{name: "fetchurl", new: newFetchurlCmd},
	{name: "cache", new: newCacheCmd},
	{name: "key", new: newKeyCmd},
	{name: "image", new: newImageCmd},
}

// newRootCmd returns the command tree for the arguments argv: the root
// with the one command argv starts with, or with all of them when argv
// starts with anything else (a flag, help, completion, an unknown word).
// Either tree runs argv the same way.
func newRootCmd(a *app, argv []string) *cobra.Command {
	root := &cobra.Command{
		Use:           "noxenv",
		Short:         "Per-project package environments with stores, profiles and shell hooks",
		SilenceErrors: true,
		SilenceUsage:  true,
		// Unknown subcommands of a group are usage errors too.
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	root.SetIn(a.Stdin)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return front.UsageError{Err: flagError(err)} })
	if c, ok := named(argv); ok {
		// cobra would add the completion command, which argv does not run.
		root.CompletionOptions.DisableDefaultCmd = true
		root.AddCommand(c.build(a))
	} else {
		for _, c := range commands {
			root.AddCommand(c.build(a))
		}
		// cobra adds these two when it executes; adding them now lets the
		// loop below treat them as the other commands.
		root.InitDefaultCompletionCmd()
		root.InitDefaultHelpCmd()
	}
	if len(argv) > 0 && (argv[0] == cobra.ShellCompRequestCmd || argv[0] == cobra.ShellCompNoDescRequestCmd) {
		plainFlagWords(root)
	}
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			strictHelp(c)
		case "completion":
			plainBashCompletion(root, c)
		}
		markGroups(c)
	}
	return root
}

// plainFlagWords takes out of the help of every flag of c and its
// subcommands the quotes that name the flag's value (`N`), as the help
// does: cobra's completion gives the shells the help as it is written.
func plainFlagWords(c *cobra.Command) {
	unquote := func(f *pflag.Flag) { f.Usage = strings.ReplaceAll(f.Usage, "`", "") }
	c.Flags().VisitAll(unquote)
	c.PersistentFlags().VisitAll(unquote)
	for _, sub := range c.Commands() {
		plainFlagWords(sub)
	}
}

// named returns the command argv starts with.
func named(argv []string) (command, bool) {
	if len(argv) > 0 {
		for _, c := range commands {
			if c.name == argv[0] {
				return c, true
			}
		}
	}
	return command{}, false
}

func (c command) build(a *app) *cobra.Command {
	cmd := c.new(a)
	for _, sub := range c.subs {
		cmd.AddCommand(sub(a))
	}
	return cmd
}

// markGroups makes a command group without its own action fail with a usage
// error on an unknown subcommand, rather than printing help and exiting 0.
func markGroups(c *cobra.Command) {
	if c.RunE == nil && c.Run == nil {
		c.Args = args(cobra.NoArgs)
		c.RunE = func(cmd *cobra.Command, args []string) error {
			return front.UsageError{Err: argsError{fmt.Errorf("%s: a subcommand is required", cmd.CommandPath()), cmd}}
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
			_, err := fmt.Fprintf(a.Stdout, "noxenv %s\n", version)
			return err
		},
	}
}

// strictHelp makes noxenv help TOPIC a usage error for an unknown TOPIC;
// cobra's own help command prints the usage and succeeds.
func strictHelp(help *cobra.Command) {
	show := help.Run
	help.Args = nil
	help.RunE = func(cmd *cobra.Command, args []string) error {
		c, rest, err := cmd.Root().Find(args)
		if err == nil && c != nil && c.Annotations[forwardAnnotation] != "" {
			// A stand-in for noxenv-oci's command: noxenv-oci knows its topics.
			return c.RunE(c, append(rest, "--help"))
		}
		if c == nil || err != nil || len(rest) > 0 {
			return front.UsageError{Err: fmt.Errorf("unknown help topic %q", strings.Join(args, " "))}
		}
		show(cmd, args)
		return nil
	}
}

// flagError words a bad flag value for the user: the flag, the value and
// what the flag wants, rather than the parser's message.
func flagError(err error) error {
	var inv *pflag.InvalidValueError
	if !errors.As(err, &inv) {
		return err
	}
	want := errors.Unwrap(inv).Error()
	var num *strconv.NumError
	switch {
	case errors.As(err, &num) && errors.Is(num.Err, strconv.ErrRange):
		want = "out of range"
	case errors.As(err, &num) && num.Func == "ParseBool":
		want = "want true or false"
	case errors.As(err, &num):
		want = "want a whole number"
	}
	return fmt.Errorf("invalid value %q for --%s: %s", inv.GetValue(), inv.GetFlag().Name, want)
}

// bashWords is the one call of cobra's bash completion into the
// bash-completion package; bashWordsFallback stands in for it when that
// package is not loaded: the words as bash split them.
const (
	bashWords         = `_get_comp_words_by_ref "$@" cur prev words cword`
	bashWordsFallback = `if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        ` + bashWords + `
    else
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    fi`
)

// bashCompletionNeeds is what cobra's help says of the package.
const bashCompletionNeeds = "This script depends on the 'bash-completion' package.\n" +
	"If it is not installed already, you can install it via your OS's package manager.\n\n"

// plainBashCompletion makes noxenv completion bash work in a bash without
// the bash-completion package, which cobra's script otherwise needs.
func plainBashCompletion(root, completion *cobra.Command) {
	for _, c := range completion.Commands() {
		if c.Name() != "bash" {
			continue
		}
		c.Long = strings.Replace(c.Long, bashCompletionNeeds, "", 1)
		c.RunE = func(cmd *cobra.Command, _ []string) error {
			noDesc, _ := cmd.Flags().GetBool("no-descriptions")
			var b strings.Builder
			if err := root.GenBashCompletionV2(&b, !noDesc); err != nil {
				return err
			}
			script := b.String()
			if !strings.Contains(script, bashWords) {
				return errors.New("completion bash: cobra's script changed: update plainBashCompletion")
			}
			_, err := io.WriteString(cmd.OutOrStdout(), strings.Replace(script, bashWords, bashWordsFallback, 1))
			return err
		}
	}
}

// checkPkgs returns a usage error for the first PKG argument whose form is
// wrong (a malformed name or constraint), before any store is read.
func checkPkgs(pkgs []string) error {
	for _, pkg := range pkgs {
		if err := store.CheckPkg(pkg); err != nil {
			return front.UsageError{Err: err}
		}
	}
	return nil
}

// args returns a cobra.PositionalArgs that reports a usage error, with
// the command's usage as its hint.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return front.UsageError{Err: argsError{err, cmd}}
		}
		return nil
	}
}

// argsError is arguments a command does not take: cobra's message says
// how many it takes, the hint what they are.
type argsError struct {
	error
	cmd *cobra.Command
}

func (e argsError) Unwrap() error { return e.error }

func (e argsError) Hint() string {
	if e.cmd.HasAvailableSubCommands() {
		return fmt.Sprintf("'%s --help' lists its commands", e.cmd.CommandPath())
	}
	return "usage: " + e.cmd.UseLine()
}

func run(argv []string) int {
	a := newApp(tomlfile.Decode)
	a.Argv = argv
	if call := a.Direct(argv, a.evaluation); call != nil {
		return a.call(call)
	}
	return a.execute(newRootCmd(a, argv), argv)
}

// execute runs argv with the command tree root and returns the exit
// status.
func (a *app) execute(root *cobra.Command, argv []string) int {
	root.SetArgs(argv)
	return a.call(root.ExecuteContext)
}

// version is set at build time by install.sh (-ldflags "-X main.version=...").
var version = "dev"

// call runs f with a context that an interrupt, a hangup or SIGTERM
// cancels, and returns the exit status. A command that such a signal
// ended dies of it once it has cleaned up (its evaluation's processes
// ended), as it would have had noxenv not caught it, so that its caller
// sees the signal: a shell's $? of 128+N, a script's loop stopped by
// Ctrl-C. The prompt's export is the exception for the interrupt: the
// hook ignores it while the export runs, and reads what the export says
// of the evaluation it interrupted.
func (a *app) call(f func(context.Context) error) int {
	export := len(a.Argv) > 0 && a.Argv[0] == "export"
	ctx := &interruptible{Context: context.Background(), takeIgnored: export}
	defer ctx.stop()
	code := a.Report(f(ctx))
	if sig := ctx.signal(); sig != nil && !(export && sig == os.Interrupt) {
		dieOf(sig)
	}
	return code
}

// dieOf ends noxenv by sig.
func dieOf(sig os.Signal) {
	signal.Reset(sig)
	syscall.Kill(os.Getpid(), sig.(syscall.Signal))
	// The signal is delivered to some thread of the process, perhaps not
	// this one: wait for it.
	time.Sleep(time.Second)
}

// stopSignals are the signals that end a command that waits on its
// context: an interrupt (Ctrl-C), a hangup, SIGTERM (a batch system's
// time limit).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGHUP, syscall.SIGTERM}

// interruptible is a context that a stop signal cancels. It starts
// catching the signals only when something first waits on it: the
// catching costs a thread, which a command that waits on nothing (the
// prompt's export of a cached project, exec) does not pay; a signal
// before that ends noxenv at once, as it should when nothing is to be
// cleaned up. A signal that noxenv's caller ignores (an interrupt in a
// script's background job, a hangup under nohup) is not caught, unless
// takeIgnored (the hook ignores the interrupt for noxenv to take it).
type interruptible struct {
	context.Context
	takeIgnored bool
	once        sync.Once
	caught      context.Context
	cancel      context.CancelFunc
	ch          chan os.Signal
	got         atomic.Value // the signal caught
	ignored     []os.Signal  // those caught that were ignored at the start
}

func (c *interruptible) start() {
	c.caught, c.cancel = context.WithCancel(c.Context)
	var sigs []os.Signal
	for _, sig := range stopSignals {
		switch {
		case !signal.Ignored(sig):
			sigs = append(sigs, sig)
		case c.takeIgnored:
			sigs = append(sigs, sig)
			c.ignored = append(c.ignored, sig)
		}
	}
	c.ch = make(chan os.Signal, 1)
	signal.Notify(c.ch, sigs...)
	go func() {
		select {
		case sig := <-c.ch:
			c.got.Store(sig)
			c.cancel()
		case <-c.caught.Done():
		}
	}()
}

func (c *interruptible) Done() <-chan struct{} {
	c.once.Do(c.start)
	return c.caught.Done()
}

func (c *interruptible) Err() error {
	c.once.Do(c.start)
	return c.caught.Err()
}

// signal is the signal that cancelled the context and that would have
// ended noxenv had it not been caught, nil when none did.
func (c *interruptible) signal() os.Signal {
	sig, _ := c.got.Load().(os.Signal)
	if slices.Contains(c.ignored, sig) {
		return nil
	}
	return sig
}

// stop stops catching the signals.
func (c *interruptible) stop() {
	c.once.Do(func() {})
	if c.cancel != nil {
		signal.Stop(c.ch)
		c.cancel()
	}
}

// evaluation is the evaluation the full noxenv runs: the project file
// evaluated, under the configuration activateConfig returns.
func (a *app) evaluation(ctx context.Context) prompt.Evaluation {
	return activate.Evaluator(ctx, a.activateConfig)
}
