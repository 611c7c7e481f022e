//go:build !oci && !front

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
	"github.com/noxenv/noxenv/store"
)

// This file is noxenv's side of the hand-over to noxenv-oci (see oci.go):
// the commands it runs are stand-ins that become noxenv-oci, and
// substitution asks it to fetch.

func newCacheCmd(a *app) *cobra.Command { return a.forwardCmd("cache", cacheShort) }
func newKeyCmd(a *app) *cobra.Command   { return a.forwardCmd("key", keyShort) }
func newImageCmd(a *app) *cobra.Command { return a.forwardCmd("image", imageShort) }

// forwardCmd is the stand-in of noxenv-oci's command name: it takes every
// argument as it is and replaces noxenv with noxenv-oci running the same
// command line, so that help, flags, exit status and signals are
// noxenv-oci's own. Completions are asked of noxenv-oci too.
func (a *app) forwardCmd(name, short string) *cobra.Command {
	return &cobra.Command{
		Use:                name,
		Short:              short,
		Annotations:        map[string]string{forwardAnnotation: name},
		DisableFlagParsing: true,
		RunE: func(_ *cobra.Command, argv []string) error {
			return a.handOver(append([]string{name}, argv...))
		},
		ValidArgsFunction: func(_ *cobra.Command, argv []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			prog, err := a.ociProgram()
			if err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
			cmd := exec.Command(prog, append(append([]string{cobra.ShellCompRequestCmd, name}, argv...), toComplete)...)
			cmd.Env = a.environ()
			out, err := cmd.Output()
			if err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
			return parseCompletions(string(out))
		},
	}
}

// handOver replaces noxenv with noxenv-oci running the command line argv.
func (a *app) handOver(argv []string) error {
	prog, err := a.ociProgram()
	if err != nil {
		return err
	}
	err = syscall.Exec(prog, append([]string{"noxenv"}, argv...), a.environ())
	return fmt.Errorf("exec %s: %w", prog, err)
}

// readXZ hands store add of an xz tarball src over to noxenv-oci, which
// links the xz decoder (xz.go); for any other source it returns nil.
func (a *app) readXZ(src string, _ *store.AddOptions) error {
	if !store.IsXZ(src) {
		return nil
	}
	return a.handOver(a.Argv)
}

// parseCompletions reads the output of cobra's __complete: one completion
// a line, then :DIRECTIVE.
func parseCompletions(out string) ([]cobra.Completion, cobra.ShellCompDirective) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	var d int
	if _, err := fmt.Sscanf(last, ":%d", &d); err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var comps []cobra.Completion
	for _, l := range lines[:len(lines)-1] {
		// cobra's own lines for the shell's debug log are not completions.
		if l != "" && !strings.HasPrefix(l, "Completion ended with directive") {
			comps = append(comps, l)
		}
	}
	return comps, cobra.ShellCompDirective(d)
}

// fetchIDs asks noxenv-oci to fetch the entries ids, with their closures,
// into sp's writable store.
func (a *app) fetchIDs(ctx context.Context, sp *store.SearchPath, ids []string) error {
	ans, err := a.substitute(ctx, sp, append([]string{"--"}, ids...))
	if err != nil {
		return err
	}
	return ans.err()
}

// fetchRequests asks noxenv-oci to fetch an entry for each of reqs, chosen
// by name among those a trusted key signed, and returns the index of the
// request that failed with its error.
func (a *app) fetchRequests(ctx context.Context, sp *store.SearchPath, reqs []store.Request) (int, error) {
	argv := []string{"--by-name", "--"}
	for _, r := range reqs {
		argv = append(argv, r.String())
	}
	ans, err := a.substitute(ctx, sp, argv)
	if err != nil {
		return 0, err
	}
	return ans.Index, ans.err()
}

// download writes what url holds to w: noxenv-oci's cache download does
// the HTTP (fetchurl).
func (a *app) download(ctx context.Context, url string, w io.Writer) error {
	prog, err := a.ociProgram()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, prog, "cache", "download", "--", url)
	cmd.Env = a.environ()
	cmd.Stdout = w
	var msg bytes.Buffer
	cmd.Stderr = &msg
	if err := cmd.Run(); err != nil {
		// Its message, less its prefix: the caller says it again.
		if m, _, _ := strings.Cut(strings.TrimPrefix(msg.String(), "noxenv: "), "\n"); m != "" {
			return errors.New(m)
		}
		return fmt.Errorf("%s: %w", prog, err)
	}
	return nil
}

// substitute runs noxenv-oci's cache substitute with argv: its progress and
// messages reach stderr as they come, its answer comes on stdout. It
// fetches into sp's writable store, made here first if it is the user's
// store not yet made, and read again afterwards.
func (a *app) substitute(ctx context.Context, sp *store.SearchPath, argv []string) (substituteAnswer, error) {
	var ans substituteAnswer
	prog, err := a.ociProgram()
	if err != nil {
		return ans, err
	}
	st, err := sp.WritableStore("")
	if err != nil {
		return ans, err
	}
	defer st.Changed()
	cmd := exec.CommandContext(ctx, prog, append([]string{"cache", "substitute"}, argv...)...)
	cmd.Env = a.environ()
	cmd.Stderr = a.Stderr
	var out bytes.Buffer
	cmd.Stdout = &out
	runErr := cmd.Run()
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
		if runErr != nil {
			return ans, fmt.Errorf("%s: %w", prog, runErr)
		}
		return ans, fmt.Errorf("%s: unreadable answer %q", prog, out.String())
	}
	return ans, nil
}

// ociProgram returns the path of noxenv-oci (see front.InstalledProgram).
func (a *app) ociProgram() (string, error) {
	if p := front.InstalledProgram(ociProgram, a.Env); p != "" {
		return p, nil
	}
	return "", missingOCIError{}
}

// missingOCIError is a noxenv installed without its noxenv-oci.
type missingOCIError struct{}

func (missingOCIError) Error() string {
	return "binary caches and images need " + ociProgram + ", which is not installed with this noxenv"
}

// Hint says how it is installed.
func (missingOCIError) Hint() string {
	return "install noxenv with its install.sh, which puts " + ociProgram + " in PREFIX/libexec/noxenv"
}

// environ is the environment noxenv was started with, as KEY=VALUE pairs.
func (a *app) environ() []string {
	pairs := make([]string, 0, len(a.Env))
	for k, v := range a.Env {
		pairs = append(pairs, k+"="+v)
	}
	return pairs
}

// err returns the error the answer carries, with its hint, or nil.
func (s substituteAnswer) err() error {
	if s.Error == "" {
		return nil
	}
	return &substituteError{s}
}

type substituteError struct{ a substituteAnswer }

func (e *substituteError) Error() string { return e.a.Error }
func (e *substituteError) Hint() string  { return e.a.Hint }
