//go:build !front

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmds["tshell"] = cmdTshell
}

// A tshell is an interactive shell in a tmux pane, with a real prompt, to
// which a script types lines as a user does. Its harness rc file sources
// the user's rc (written by the script) and then adds, last, a prompt
// function that writes "PROMPTS STATUS" to a file with builtins only: the
// number of prompts shown so far and the $? it saw.
type tshell struct {
	sock, count, trace string
	// session is the pane's first process, the leader of the session in
	// which everything the shell starts runs.
	session int
	prompts int
	traced  int // strace lines already shown by "tshell execs"
}

var (
	tshellsMu sync.Mutex
	tshells   = map[*testscript.TestScript]*tshell{}
)

const tshellUsage = `usage:
tshell start [-strace] SHELL           start bash, zsh, fish, tcsh or elvish, wait for its first prompt
tshell type [-repeat N] [-within D] LINE...
                                        type each line and Enter, wait for their prompts
                                        (-within: fail if they take longer than D)
tshell procs                            print the processes of the pane's session but its leader
tshell enter N                          press Enter N times, wait for the prompts
tshell keys [-l] KEY...                 send keys (tmux's names; -l: text as it is), wait for nothing
tshell wait N                           wait for N more prompts
tshell status                           print the last prompt's $? to stdout
tshell screen                           print the whole pane, history included, to stdout
tshell execs                            print the programs started since the last execs (needs -strace)
tshell stop                             end the shell`

// cmdTshell implements the tshell command.
func cmdTshell(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("%s", tshellUsage)
	}
	tshellsMu.Lock()
	sh := tshells[ts]
	tshellsMu.Unlock()
	if args[0] != "start" && sh == nil {
		ts.Fatalf("tshell %s: no shell started", args[0])
	}
	switch args[0] {
	case "start":
		startTshell(ts, args[1:])
	case "type":
		repeat := 1
		within := time.Duration(0)
		lines := args[1:]
		if len(lines) >= 2 && lines[0] == "-repeat" {
			n, err := strconv.Atoi(lines[1])
			ts.Check(err)
			repeat, lines = n, lines[2:]
		}
		if len(lines) >= 2 && lines[0] == "-within" {
			d, err := time.ParseDuration(lines[1])
			ts.Check(err)
			within, lines = d, lines[2:]
		}
		start := time.Now()
		var all []string
		for i := 0; i < repeat; i++ {
			all = append(all, lines...)
		}
		// Type ahead in chunks, as a fast typist would, waiting for the
		// prompts of each chunk.
		for len(all) > 0 {
			n := min(len(all), 24)
			for _, l := range all[:n] {
				sh.tmux(ts, "send-keys", "-t", "t", "-l", "--", l)
				sh.tmux(ts, "send-keys", "-t", "t", "Enter")
			}
			sh.wait(ts, n)
			all = all[n:]
		}
		if took := time.Since(start); within > 0 && took > within {
			ts.Fatalf("tshell type: the prompts came after %v, want at most %v", took, within)
		}
	case "enter":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		for done := 0; done < n; {
			k := min(n-done, 24)
			for i := 0; i < k; i++ {
				sh.tmux(ts, "send-keys", "-t", "t", "Enter")
			}
			sh.wait(ts, k)
			done += k
		}
	case "keys":
		if len(args) < 2 {
			ts.Fatalf("%s", tshellUsage)
		}
		keys := args[1:]
		if keys[0] == "-l" {
			keys = append([]string{"-l", "--"}, keys[1:]...)
		}
		sh.tmux(ts, append([]string{"send-keys", "-t", "t"}, keys...)...)
	case "wait":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		sh.wait(ts, n)
	case "status":
		_, st := sh.read(ts)
		fmt.Fprintln(ts.Stdout(), st)
	case "screen":
		ts.Check(ts.Exec("tmux", "-S", sh.sock, "capture-pane", "-p", "-J", "-S", "-", "-t", "t"))
	case "execs":
		if sh.trace == "" {
			ts.Fatalf("tshell execs: the shell was not started with -strace")
		}
		lines := strings.Split(ts.ReadFile(sh.trace), "\n")
		var out []string
		for _, l := range lines[sh.traced:] {
			if strings.Contains(l, "execve(") {
				out = append(out, l)
			}
		}
		sh.traced = len(lines) - 1
		fmt.Fprint(ts.Stdout(), strings.Join(out, "\n")+"\n")
	case "procs":
		for _, pid := range sessionProcs(sh.session) {
			if pid == sh.session {
				continue
			}
			cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if err == nil {
				fmt.Fprintf(ts.Stdout(), "%d %s\n", pid, strings.ReplaceAll(strings.TrimRight(string(cmd), "\x00"), "\x00", " "))
			}
		}
	case "stop":
		sh.stop(ts)
	default:
		ts.Fatalf("%s", tshellUsage)
	}
}

func startTshell(ts *testscript.TestScript, args []string) {
	sh := &tshell{}
	if len(args) > 0 && args[0] == "-strace" {
		sh.trace = ts.MkAbs(".tshell/strace")
		args = args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("%s", tshellUsage)
	}
	dir := ts.MkAbs(".tshell")
	ts.Check(os.MkdirAll(dir, 0o700))
	sh.sock = filepath.Join(dir, "tmux.sock")
	sh.count = filepath.Join(dir, "prompts")
	// A shell started after another counts its prompts from none.
	if err := os.Remove(sh.count); err != nil && !os.IsNotExist(err) {
		ts.Fatalf("tshell: %v", err)
	}
	env := []string{"NXT_COUNT=" + sh.count}
	var argv []string
	first := "" // a line to type before the first prompt counted
	switch shell := args[0]; shell {
	case "bash":
		rc := filepath.Join(dir, "bashrc")
		ts.Check(os.WriteFile(rc, []byte(`_nxt_n=0
PS1='$ '
[ -f ~/.bashrc ] && . ~/.bashrc
_nxt_prompt() { local s=$?; _nxt_n=$((_nxt_n+1)); printf '%s %s\n' "$_nxt_n" "$s" >"$NXT_COUNT"; return $s; }
if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
  PROMPT_COMMAND+=(_nxt_prompt)
else
  PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND;}_nxt_prompt"
fi
`), 0o600))
		argv = []string{"bash", "--noprofile", "--rcfile", rc, "-i"}
	case "zsh":
		zdot := filepath.Join(dir, "zsh")
		ts.Check(os.MkdirAll(zdot, 0o700))
		ts.Check(os.WriteFile(filepath.Join(zdot, ".zshrc"), []byte(`_nxt_n=0
PS1='$ '
[[ -f ~/.zshrc ]] && . ~/.zshrc
_nxt_prompt() { local s=$?; _nxt_n=$((_nxt_n+1)); printf '%s %s\n' "$_nxt_n" "$s" >"$NXT_COUNT"; return $s; }
precmd_functions+=(_nxt_prompt)
`), 0o600))
		env = append(env, "ZDOTDIR="+zdot)
		argv = []string{"zsh", "-i"}
	case "fish":
		// Without this directory, fish's first interactive start runs a
		// python script in the background that parses every man page.
		ts.Check(os.MkdirAll(filepath.Join(ts.Getenv("XDG_DATA_HOME"), "fish", "generated_completions"), 0o700))
		init := filepath.Join(dir, "init.fish")
		ts.Check(os.WriteFile(init, []byte(`set -g fish_greeting
set -g _nxt_n 0
function fish_prompt
  set -l s $status
  set -g _nxt_n (math $_nxt_n + 1)
  printf '%s %s\n' $_nxt_n $s >$NXT_COUNT
  printf '$ '
end
`), 0o600))
		argv = []string{"fish", "-i", "-C", "source " + init}
	case "tcsh":
		// tcsh takes no rc file of one's choosing: it starts with none and
		// is given the harness as its first line, whose prompt is the
		// first counted. Its precmd alias is all it has for prompt hooks:
		// the harness adds itself last. tcsh keeps $status across precmd
		// by itself; the harness notes the status precmd starts with.
		rc := filepath.Join(dir, "tcshrc")
		ts.Check(os.WriteFile(rc, []byte(`set prompt = '$ '
set _nxt_n = 0
if ( -f ~/.tcshrc ) source ~/.tcshrc
set _nxt_prev = "`+"`alias precmd`"+`"
alias _nxt_prompt '@ _nxt_n++; echo "$_nxt_n $_nxt_s" >! $NXT_COUNT:q'
if ( $_nxt_prev:q == '' ) then
alias precmd 'set _nxt_s = $status; _nxt_prompt'
else
alias precmd 'set _nxt_s = $status; '$_nxt_prev:q'; _nxt_prompt'
endif
`), 0o600))
		argv = []string{"tcsh", "-f", "-i"}
		first = "source " + rc
	case "elvish":
		// The storage daemon's socket goes under XDG_RUNTIME_DIR: one per
		// test.
		rc := filepath.Join(dir, "rc.elv")
		ts.Check(os.WriteFile(rc, []byte(`use path
set edit:prompt = { put '$ ' }
set edit:rprompt = { }
var _nxt_n = 0
var rc = (get-env XDG_CONFIG_HOME)/elvish/rc.elv
if (path:is-regular $rc) { eval (slurp < $rc) }
set edit:before-readline = [$@edit:before-readline {|| set _nxt_n = (+ $_nxt_n 1); print $_nxt_n' 0' > $E:NXT_COUNT }]
`), 0o600))
		run := filepath.Join(dir, "run")
		ts.Check(os.MkdirAll(run, 0o700))
		env = append(env, "XDG_RUNTIME_DIR="+run)
		argv = []string{"elvish", "-rc", rc}
	default:
		ts.Fatalf("tshell: unknown shell %q", shell)
	}
	if sh.trace != "" {
		argv = append([]string{"strace", "-f", "-s", "256", "-e", "trace=execve", "-o", sh.trace}, argv...)
	}
	tmux := []string{"-S", sh.sock, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "160", "-y", "50", "-c", ts.MkAbs(".")}
	for _, e := range env {
		tmux = append(tmux, "-e", e)
	}
	tmux = append(tmux, argv...)
	tshellsMu.Lock()
	tshells[ts] = sh
	tshellsMu.Unlock()
	ts.Defer(func() { sh.stop(ts) })
	sh.tmux(ts, tmux...)
	sh.tmux(ts, "set-option", "-t", "t", "history-limit", "50000")
	sh.tmux(ts, "display-message", "-p", "-t", "t", "#{pane_pid}")
	pid, err := strconv.Atoi(strings.TrimSpace(ts.ReadFile("stdout")))
	ts.Check(err)
	sh.session = pid
	if first != "" {
		sh.tmux(ts, "send-keys", "-t", "t", "-l", "--", first)
		sh.tmux(ts, "send-keys", "-t", "t", "Enter")
	}
	sh.wait(ts, 1)
}

func (sh *tshell) tmux(ts *testscript.TestScript, args ...string) {
	if sh.sock == "" {
		return
	}
	if err := ts.Exec("tmux", append([]string{"-S", sh.sock}, args...)...); err != nil {
		ts.Fatalf("tmux %s: %v", strings.Join(args, " "), err)
	}
}

// read returns the prompts shown so far and the last one's $?.
func (sh *tshell) read(ts *testscript.TestScript) (int, string) {
	b, err := os.ReadFile(sh.count)
	if err != nil {
		return 0, ""
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, "" // being written
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 0, ""
	}
	return n, f[1]
}

var promptTimeout = 30 * time.Second

// wait waits until n more prompts were shown.
func (sh *tshell) wait(ts *testscript.TestScript, n int) {
	want := sh.prompts + n
	deadline := time.Now().Add(promptTimeout)
	for {
		got, _ := sh.read(ts)
		if got >= want {
			sh.prompts = got
			return
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(sh.count)
			_ = ts.Exec("tmux", "-S", sh.sock, "capture-pane", "-p", "-J", "-S", "-", "-t", "t")
			ts.Fatalf("tshell: %d prompts after %v, want %d (prompt file %q)", got, promptTimeout, want, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (sh *tshell) stop(ts *testscript.TestScript) {
	if sh.sock != "" {
		_ = ts.Exec("tmux", "-S", sh.sock, "kill-server")
		sh.sock = ""
	}
	if sh.session > 0 {
		killSession(sh.session)
		// What comes next may depend on the shell having ended (gc
		// removes the records of shells that no longer run).
		for end := time.Now().Add(10 * time.Second); len(sessionProcs(sh.session)) > 0 && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
		sh.session = 0
	}
	tshellsMu.Lock()
	delete(tshells, ts)
	tshellsMu.Unlock()
}

// killSession kills what is left of the session sid (strace, background
// jobs of the shell), which closing the terminal does not always end.
func killSession(sid int) {
	for _, pid := range sessionProcs(sid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// sessionProcs returns the processes of the session sid.
func sessionProcs(sid int) []int {
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp session ...
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 4 || f[3] != strconv.Itoa(sid) {
			continue
		}
		if pid, err := strconv.Atoi(strings.Fields(string(b))[0]); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}
