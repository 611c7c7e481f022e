//go:build !front

package main

import (
	"os"
	"os/exec"
	"path/filepath"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"

	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/hook"
	"github.com/noxenv/noxenv/shells"
)

func newHookCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "hook bash|zsh|fish|tcsh|elvish",
		Short: "Print the shell code that switches environments at every prompt",
		Long: "Print the shell code that switches environments at every prompt and cd.\n\n" +
			"  bash:   eval \"$(noxenv hook bash)\"         in ~/.bashrc\n" +
			"  zsh:    eval \"$(noxenv hook zsh)\"          in ~/.zshrc\n" +
			"  fish:   noxenv hook fish | source          in config.fish\n" +
			"  tcsh:   eval `noxenv hook tcsh`            in ~/.tcshrc\n" +
			"  elvish: eval (noxenv hook elvish | slurp)  in rc.elv",
		Args:      args(cobra.ExactArgs(1)),
		ValidArgs: hook.Shells,
		RunE: func(cmd *cobra.Command, argv []string) error {
			if !slices.Contains(hook.Shells, argv[0]) {
				return front.UsageError{Err: fmt.Errorf("unknown shell %q (want %s)", argv[0], strings.Join(hook.Shells, ", "))}
			}
			exe, err := a.promptProgram()
			if err != nil {
				return err
			}
			code, err := hook.Snippet(argv[0], exe, a.HookDir())
			if err != nil && (argv[0] == "tcsh" || argv[0] == "bash") {
				// tcsh's hook is a file, and bash's keeps the user's
				// INT trap in one: where the state directory cannot
				// have them, the spare one does (see export).
				if spare, serr := a.SpareHookDir(); serr == nil {
					code, err = hook.Snippet(argv[0], exe, spare)
				}
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(a.Stdout, code)
			return err
		},
	}
}

// promptProgram is the program the hook runs at the prompt: the front
// installed with noxenv (front.go), or noxenv itself.
func (a *app) promptProgram() (string, error) {
	if p := front.InstalledProgram(front.FrontProgram, a.Env); p != "" {
		return p, nil
	}
	return a.executable()
}

func newExportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "export bash|zsh|fish|tcsh|elvish|json",
		Short: "Print the code that gives the shell the environment of the working directory",
		Long: "Print the code that gives the shell the environment of the working directory,\n" +
			"the code the hook evaluates.\n\n" +
			"  bash:   eval \"$(noxenv export bash)\"\n" +
			"  zsh:    eval \"$(noxenv export zsh)\"\n" +
			"  fish:   noxenv export fish | source\n" +
			"  tcsh:   noxenv export tcsh >! FILE; source FILE\n" +
			"  elvish: eval (noxenv export elvish | slurp)\n" +
			"  json:   the variables to set, null for those to unset\n\n" +
			"tcsh sources the code from a file: its eval of a command substitution would\n" +
			"lose the code's newlines.",
		Args:      args(cobra.ExactArgs(1)),
		ValidArgs: shells.Names,
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.Export(argv[0], a.evaluation(cmd.Context()))
		},
	}
}

func newReloadCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "reload",
		Short: "Evaluate the environment again at the next prompt",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return hook.Reload(filepath.Dir(a.ReloadFile()))
		},
	}
}

// status is what `noxenv status --json` prints.
type status struct {
	Dir    string `json:"dir"`
	Loaded string `json:"loaded,omitempty"`
	State  string `json:"state,omitempty"`
	Found  string `json:"found,omitempty"`
	// Ignored are the .envrc files not loaded, with why.
	Ignored    []prompt.IgnoredEnvrc `json:"ignored,omitempty"`
	Trusted    *bool                 `json:"trusted,omitempty"`
	Blocked    string                `json:"blocked,omitempty"`
	LockPins   []string              `json:"lock_pins,omitempty"`
	Profile    string                `json:"generation,omitempty"`
	Watched    []string              `json:"watched,omitempty"`
	UpToDate   bool                  `json:"up_to_date"`
	ProjectDir string                `json:"project_dir,omitempty"`
}

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the loaded and the found project file, its trust, generation and watched files",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.status()
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return printStatus(a, st)
		},
	}
	jsonFlag(c, &asJSON)
	return c
}

func (a *app) status() (status, error) {
	dir, err := a.WorkDir()
	if err != nil {
		return status{}, err
	}
	st := status{Dir: dir, Profile: a.Env["NOXENV_PROFILE"], ProjectDir: a.Env[prompt.DirVar]}
	if s, ok := prompt.LoadState(a.Env); ok {
		st.Loaded = s.File
		st.State = s.Status.String()
		for _, w := range s.Watches {
			st.Watched = append(st.Watched, w.Path)
		}
		st.UpToDate = prompt.Fresh(s)
	}
	if st.Found, err = prompt.Find(dir, a.LoadEnvrc); err != nil {
		return st, err
	}
	st.Ignored = prompt.Ignored(dir, st.Found)
	if st.Found != "" {
		blocked, err := prompt.CheckTrust(a.Loc.AllowDir, st.Found)
		if err != nil {
			return st, err
		}
		ok := blocked == nil
		st.Trusted = &ok
		if blocked != nil {
			st.Blocked = blocked.Reason()
			if blocked.LockChanged {
				st.LockPins = blocked.PinLines()
			}
		}
		st.UpToDate = st.UpToDate && st.Found == st.Loaded
	} else {
		st.UpToDate = st.Loaded == ""
	}
	return st, nil
}

func printStatus(a *app, st status) error {
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "%-11s %s\n", k+":", v) }
	line("directory", st.Dir)
	switch {
	case st.Loaded == "":
		line("loaded", "none")
	default:
		line("loaded", st.Loaded+" ("+st.State+")")
	}
	switch {
	case st.Found == "":
		line("found", "none")
	case *st.Trusted:
		line("found", st.Found+" (allowed)")
	default:
		line("found", st.Found+" (blocked: "+st.Blocked+"; run 'noxenv allow')")
	}
	for _, ig := range st.Ignored {
		line("ignored", ig.Path+" ("+ig.Why+")")
	}
	for _, p := range st.LockPins {
		line("lock pin", p)
	}
	if st.Profile != "" {
		line("generation", st.Profile)
	}
	for _, w := range st.Watched {
		line("watching", w)
	}
	if st.UpToDate {
		line("up to date", "yes")
	} else {
		line("up to date", "no: the next prompt evaluates again")
	}
	_, err := fmt.Fprint(a.Stdout, b.String())
	return err
}

// executable returns the absolute path noxenv was started by, symbolic
// links kept (the path it was installed at, which stays valid across an
// upgrade that moves the link), or the resolved one.
func (a *app) executable() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding noxenv's own path: %w", err)
	}
	name := os.Args[0]
	if !strings.Contains(name, "/") {
		if p, err := exec.LookPath(name); err == nil {
			name = p
		}
	}
	if p, err := filepath.Abs(name); err == nil && front.SameFile(p, self) {
		return p, nil
	}
	return self, nil
}
