//go:build !front

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/noxenv/noxenv/activate"
	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
)

// activateConfig is where activation finds and keeps things; the store
// search path is opened only when an evaluation runs (a result from the
// evaluation cache needs none).
func (a *app) activateConfig() (activate.Config, error) {
	return activate.Config{
		Places:        a.ActivatePlaces(),
		OpenStores:    a.stores,
		Download:      a.download,
		Settings:      a.Settings,
		SettingsFiles: a.Loc.SettingsFiles,
		Stderr:        a.Stderr,
		Quiet:         a.Quiet,
	}, nil
}

// noProjectError is a directory without a project file above it; ignored
// are the .envrc files the search passed over.
type noProjectError struct {
	dir     string
	ignored []prompt.IgnoredEnvrc
}

func (e noProjectError) Error() string {
	return fmt.Sprintf("no %s in %s or its parents", prompt.FileName, e.dir)
}

// Hint says how a project starts, or how an .envrc found on the way is
// loaded.
func (e noProjectError) Hint() string {
	if len(e.ignored) > 0 {
		return fmt.Sprintf("%s is loaded with the setting load-envrc = true (NOXENV_LOAD_ENVRC=1)", e.ignored[0].Path)
	}
	return fmt.Sprintf("write a %s there, then run 'noxenv allow'", prompt.FileName)
}

// projectFile returns the project file that arg names: a file, or the
// nearest one from a directory (the working directory by default).
func (a *app) projectFile(arg []string) (string, error) {
	p := "."
	if len(arg) > 0 {
		p = arg[0]
	}
	fi, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return filepath.Abs(p)
	}
	file, err := prompt.Find(p, a.LoadEnvrc)
	if err == nil && file == "" {
		dir, _ := filepath.Abs(p) // Find made it absolute already
		err = noProjectError{dir, prompt.Ignored(dir, "")}
	}
	return file, err
}

func newAllowCmd(a *app) *cobra.Command {
	return a.trustCmd("allow [PATH]", "Trust a project file with its current content", func(file string) error {
		return activate.Allow(a.Loc.AllowDir, file)
	})
}

func newDenyCmd(a *app) *cobra.Command {
	return a.trustCmd("deny [PATH]", "Revoke the trust in a project file", func(file string) error {
		return prompt.Deny(a.Loc.AllowDir, file)
	})
}

// trustCmd is allow or deny: change the trust in the project file PATH
// names (the nearest one by default: a .noxprofile, or an .envrc with the
// setting load-envrc).
func (a *app) trustCmd(use, short string, change func(file string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, arg []string) error {
			file, err := a.projectFile(arg)
			if err != nil {
				return err
			}
			return change(file)
		},
	}
}

func newLockCmd(a *app) *cobra.Command {
	var update bool
	c := &cobra.Command{
		Use:   "lock [--update [NAME...]]",
		Short: "Write the project's .noxprofile.lock, re-resolving with --update",
		Args: args(func(cmd *cobra.Command, names []string) error {
			if len(names) > 0 && !update {
				return errors.New("package names are taken with --update only")
			}
			return nil
		}),
		RunE: func(cmd *cobra.Command, names []string) error {
			file, err := a.projectFile(nil)
			if err != nil {
				return err
			}
			cfg, err := a.activateConfig()
			if err != nil {
				return err
			}
			changes, err := activate.Relock(cmd.Context(), cfg, file, prompt.Revert(a.Env), update, names)
			for _, c := range changes {
				switch {
				case c.Old == "":
					a.Logf("locked %s to %s", c.Request, c.New)
				case c.New == "":
					a.Logf("unlocked %s (no longer used)", c.Request)
				default:
					a.Logf("%s: %s -> %s", c.Request, c.Old, c.New)
				}
			}
			return err
		},
	}
	c.Flags().BoolVar(&update, "update", false, "resolve the named packages (all without names) again")
	return c
}

func newExecCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "exec [DIR] -- CMD [ARG]...",
		Short: "Run a command in a directory's project environment",
		Long: "Run CMD in the project environment of DIR (default: the working directory),\n" +
			"evaluated afresh with any loaded project reverted, as the hook would load\n" +
			"it there (NOXENV_DIR set). CMD replaces noxenv.",
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.Exec(argv, cmd.ArgsLenAtDash(), a.evaluation(cmd.Context()))
		},
	}
	c.Flags().SetInterspersed(false)
	return c
}

func newShellCmd(a *app) *cobra.Command {
	var pure bool
	c := &cobra.Command{
		Use:   "shell [PKG]... [--pure] [-- CMD [ARG]...]",
		Short: "Start a shell, or run a command, with the project's packages and more",
		Long: "Start $SHELL, or CMD, in the current project's environment (when there is\n" +
			"one and it is trusted) plus the PKGs. --pure starts from a minimal\n" +
			"environment. The session's packages are kept from gc while it runs.",
		RunE: func(cmd *cobra.Command, argv []string) error {
			pkgs, command := argv, []string(nil)
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				pkgs, command = argv[:dash], argv[dash:]
			}
			if err := checkPkgs(pkgs); err != nil {
				return err
			}
			base := prompt.Revert(a.Env)
			if pure {
				base = pureEnv(base)
			}
			file, err := prompt.Find(".", a.LoadEnvrc)
			if err != nil {
				return err
			}
			cfg, err := a.activateConfig()
			if err != nil {
				return err
			}
			if file != "" {
				if blocked, err := prompt.CheckTrust(cfg.AllowDir, file); err != nil {
					return err
				} else if blocked != nil {
					a.Logf("%v", blocked)
					file = ""
				}
			}
			// What no store holds of pkgs is fetched first, as for profile
			// add; the stores' guard keeps it from gc until the session's
			// root does.
			release := func() {}
			if len(pkgs) > 0 {
				if _, release, _, _, err = a.fetchMissing(cmd.Context(), pkgs); err != nil {
					return err
				}
			}
			s, err := activate.StartSession(cmd.Context(), cfg, file, base, pkgs)
			release()
			if err != nil {
				return err
			}
			if len(command) == 0 {
				sh := s.Env["SHELL"]
				if sh == "" {
					sh = "/bin/sh"
				}
				command = []string{sh}
			}
			err = front.ExecIn(s.Env, command)
			// The session's root stays open (and locked) until the exec.
			runtime.KeepAlive(s.Root)
			return err
		},
	}
	c.Flags().BoolVar(&pure, "pure", false, "start from a minimal environment instead of the user's")
	return c
}

// pureVars are what a --pure session keeps of the user's environment: who
// and where the user is, the terminal and the locale, and where noxenv
// finds its own things.
var pureVars = []string{"HOME", "USER", "LOGNAME", "SHELL", "TERM", "COLORTERM", "LANG", "LANGUAGE",
	"LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "TMPDIR",
	"XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
	"XDG_DATA_DIRS", "XDG_CONFIG_DIRS", "NOXENV_STORE_PATH", "NOXENV_LOG"}

// pureEnv returns the minimal environment of env, with the system's
// standard PATH.
func pureEnv(env map[string]string) map[string]string {
	out := map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin"}
	for _, k := range pureVars {
		if v, ok := env[k]; ok {
			out[k] = v
		}
	}
	return out
}
