package hook

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/noxenv/noxenv/shells"
)

// tcshSnippet writes tcsh's hook into dir/tcsh and returns the line that
// sources it. tcsh's eval of a command substitution (eval `noxenv hook
// tcsh`) makes one line of its output, where if ... endif cannot be and
// newlines in quotes are lost; a file sourced keeps both. The file is
// named for exe, so that two installations of noxenv do not share it.
//
// tcsh runs the precmd alias before each prompt and the cwdcmd alias
// after each change of directory: the hook puts itself first in both,
// before whatever the user had there, once however often it is sourced.
// From cwdcmd, a cd loads the new directory's project before anything
// else runs there (a command after the cd on the same line, or in an
// alias), and the prompt after it takes the fast path. It exports, when
// its check fails, into dir/tcsh/code.PID, a file per shell
// (those of shells no longer running are removed here), and sources that.
// tcsh keeps $status across precmd and cwdcmd by itself.
func tcshSnippet(exe, dir string) (string, error) {
	tdir, qexe, qdir, err := shellFiles("tcsh", exe, dir, "code.")
	if err != nil {
		return "", err
	}
	body := "set _noxenv_exe = " + qexe + "\nset _noxenv_code = " + qdir + "$$\n" + tcshHook
	sum := sha256.Sum256([]byte(exe))
	file := filepath.Join(tdir, "hook-"+hex.EncodeToString(sum[:4])+".tcsh")
	if err := writeFile(file, shells.Frame("tcsh", body)); err != nil {
		return "", fmt.Errorf("hook: %w", err)
	}
	line, err := evalWord(file)
	if err != nil {
		return "", err
	}
	return "source " + line + "\n", nil
}

// tcshHook registers _noxenv_hook in precmd and cwdcmd, in an interactive
// shell only (tcsh sets $prompt there): a script run without -f reads
// ~/.tcshrc too, and runs cwdcmd at each cd. Each export defines
// _noxenv_hook anew, with its check (see renderTcsh); until then it
// exports. The user's printexitvalue is off while noxenv runs: an export
// that fails (a blocked project) says why itself, and tcsh would add an
// "Exit 1" that no command of the user's earned. Where the directory of
// the export's file is gone (a state directory wiped, a runtime directory
// removed at logout under a shell that lives on), the export first
// sources the hook again, as noxenv hook tcsh gives it: that makes the
// directory, or chooses another where it cannot.
const tcshHook = `alias _noxenv_export 'if ( ( -d $_noxenv_code:h:q ) == 0 ) eval "` + "`$_noxenv_exe:q hook tcsh`" + `"; set _noxenv_pe = $?printexitvalue; if ( $_noxenv_pe ) unset printexitvalue; $_noxenv_exe:q export tcsh >! $_noxenv_code:q; if ( $_noxenv_pe ) set printexitvalue; source $_noxenv_code:q'
alias _noxenv_hook 'eval _noxenv_export'
if ( $?prompt ) then
foreach _noxenv_al ( precmd cwdcmd )
set _noxenv_prev = "` + "`alias $_noxenv_al`" + `"
if ( $_noxenv_prev:q !~ *_noxenv_hook* ) then
if ( $_noxenv_prev:q == '' ) then
alias $_noxenv_al _noxenv_hook
else
alias $_noxenv_al '_noxenv_hook; '$_noxenv_prev:q
endif
endif
end
unset _noxenv_prev _noxenv_al
endif
`

// evalWord quotes path for the line tcsh's eval reads from a command
// substitution: words split at blanks and joined again by one space, and
// history substitution on.
func evalWord(path string) (string, error) {
	if strings.ContainsAny(path, "\n\t*?[{~") || strings.Contains(path, "  ") {
		return "", fmt.Errorf("hook: tcsh cannot source %q from eval (a newline, a tab, two spaces or a pattern in it)", path)
	}
	return "'" + strings.NewReplacer("'", `'\''`, "!", `\!`).Replace(path) + "'", nil
}

// shellFiles makes dir/SHELL, where the hook of shell keeps a file per
// shell named prefix and its process ID, and removes those of shells no
// longer running; it returns the directory, exe and dir/SHELL/prefix
// quoted for shell.
func shellFiles(shell, exe, dir, prefix string) (sdir, qexe, qprefix string, err error) {
	sdir = filepath.Join(dir, shell)
	if err := os.MkdirAll(sdir, 0o700); err != nil {
		return "", "", "", fmt.Errorf("hook: %w", err)
	}
	removeDead(sdir, prefix)
	if qexe, err = shells.Quote(shell, exe); err != nil {
		return "", "", "", err
	}
	if qprefix, err = shells.Quote(shell, filepath.Join(sdir, prefix)); err != nil {
		return "", "", "", err
	}
	return sdir, qexe, qprefix, nil
}

// removeDead removes the files in dir named prefix and the process ID of
// a shell no longer running.
func removeDead(dir, prefix string) {
	names, _ := filepath.Glob(filepath.Join(dir, prefix+"*"))
	for _, p := range names {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), prefix))
		if err == nil && pid > 0 && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			os.Remove(p)
		}
	}
}

// writeFile writes content to path, built aside and renamed into place.
func writeFile(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	return err
}

// renderTcsh returns tcsh code (for source, within shells.Frame) that
// defines the alias _noxenv_hook: one if, which exports unless nothing
// changed: the same directory, each watched file there with the same
// whole second (-M, all tcsh can tell of a time), each absent one absent.
// The directory is tcsh's $cwd, which it sets $PWD from at each cd, and
// which is always defined: a one-line if substitutes its variables before
// testing anything, and an undefined one (as $PWD after the user's
// unsetenv PWD) ends precmd with an error, on which tcsh removes the whole
// alias, the user's commands with the hook. (Each builtin costs tcsh tens
// of microseconds: the prompt runs one, and the code sets the variables
// the alias reads in one set.) A file whose
// second a change could still share (File.Seconds false) makes the hook
// export, a process, at each prompt until that second is over. The paths
// are kept in variables, so that the alias holds nothing tcsh could take
// for history or pattern syntax; it negates with == 0 rather than with !,
// so that the code holds no history character of its own and needs no
// set-up around it (see shells.Frame). The export runs through eval, as
// aliases are not expanded in the command of a one-line if.
func (f FastPath) renderTcsh() (string, error) {
	hook := "eval _noxenv_export"
	var vars strings.Builder
	if !f.Stale && allSeconds(f.Exist) {
		cond := []string{"$cwd:q == $_noxenv_d:q"}
		var files, absent, targets []string
		for i, file := range f.Exist {
			files = append(files, file.Path)
			sec := file.ModTime / 1e9
			if file.ModTime%1e9 < 0 {
				sec-- // whole seconds before, as st_mtime has them
			}
			cond = append(cond, fmt.Sprintf("-e $_noxenv_f[%d]:q && -M $_noxenv_f[%d]:q == %d", i+1, i+1, sec))
			if file.Target != "" {
				// The same device and inode.
				targets = append(targets, file.Target)
				cond = append(cond, fmt.Sprintf("-e $_noxenv_t[%d]:q && -F $_noxenv_f[%d]:q == -F $_noxenv_t[%d]:q", len(targets), i+1, len(targets)))
			}
		}
		for i, p := range f.Absent {
			absent = append(absent, p)
			cond = append(cond, fmt.Sprintf("( -e $_noxenv_a[%d]:q ) == 0", i+1))
		}
		vars.WriteString("set")
		for _, v := range []struct {
			name  string
			words []string
		}{{"_noxenv_d", []string{f.Dir}}, {"_noxenv_f", files}, {"_noxenv_a", absent}, {"_noxenv_t", targets}} {
			vars.WriteString(" " + v.name + " = (")
			for _, w := range v.words {
				q, err := shells.Quote("tcsh", w)
				if err != nil {
					return "", err
				}
				vars.WriteString(" " + q)
			}
			vars.WriteString(" )")
		}
		vars.WriteString("\n")
		hook = "if ( ( " + strings.Join(cond, " && ") + " ) == 0 ) " + hook
	}
	return vars.String() + "alias _noxenv_hook '" + hook + "'\n", nil
}

func allSeconds(files []File) bool {
	for _, f := range files {
		if !f.Seconds {
			return false
		}
	}
	return true
}
