package activate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/interp"
)

// waitDelay is how long a command's output is waited for once the command
// has exited (or been killed) while a process outside it holds it open;
// the interpreter's own handler waits as long.
const waitDelay = 2 * time.Second

// external runs a command that is not a builtin, as the interpreter's
// handler does (next, which still runs a file without #! as a script),
// except that the end of the evaluation (its time limit, an
// interruption) kills the command and every process descended from it,
// whatever signals they ignore. The command stays in noxenv's process
// group, where it reaches the terminal as in a shell (a password prompt).
func (e *evaluator) external(ctx context.Context, args []string, next interp.ExecHandlerFunc) error {
	if !e.commands.start() {
		return context.Canceled
	}
	defer e.commands.wg.Done()
	hc := interp.HandlerCtx(ctx)
	path, err := interp.LookPathDir(hc.Dir, hc.Env, args[0])
	if err != nil {
		fmt.Fprintln(hc.Stderr, err)
		return interp.ExitStatus(127)
	}
	cmd := exec.CommandContext(ctx, path)
	cmd.Args = args
	cmd.Env = e.commands.marked(environ(hc))
	cmd.Dir = hc.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = hc.Stdin, direct(hc.Stdout), direct(hc.Stderr)
	cmd.Cancel = func() error { return killTree(cmd.Process) }
	cmd.WaitDelay = waitDelay
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil || errors.Is(err, exec.ErrWaitDelay):
		return nil
	case errors.As(err, &exit):
		// Killed at the end of the evaluation too: a status, which the
		// interpreter does not print as it does an error from a command
		// substitution; the run stops at its next command.
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return interp.ExitStatus(128 + int(ws.Signal()))
		}
		return interp.ExitStatus(exit.ExitCode())
	case errors.Is(err, syscall.ENOEXEC):
		return next(ctx, args)
	case cmd.Process == nil:
		fmt.Fprintf(hc.Stderr, "%s: %v\n", args[0], err)
		if errors.Is(err, fs.ErrPermission) {
			return interp.ExitStatus(126)
		}
		return interp.ExitStatus(127)
	}
	return err
}

// direct is w for a command: the file of the script's output itself (a
// terminal, which the command sees as one) rather than scriptOutput.
func direct(w io.Writer) io.Writer {
	if o, ok := w.(*scriptOutput); ok {
		if f, ok := o.Writer.(*os.File); ok {
			return f
		}
	}
	return w
}

// commands are the external commands an evaluation runs, which it waits
// for, killed, before it returns: none is left behind, stopped or running.
type commands struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	closed bool
	// mark tells the processes of this evaluation in markVar: what they
	// start after their parent exited, or in a session of its own, is no
	// longer their descendant, yet inherits it.
	mark string
}

// newMark returns a mark no other evaluation has.
func newMark() string {
	return strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// markVar is the variable that marks every process an evaluation starts,
// with the marks of every evaluation it runs within (a noxenv command run
// by a .noxprofile), separated by spaces.
const markVar = "NOXENV_EVALUATION"

// marked returns env, a command's environment, with the evaluation's mark
// added to markVar.
func (c *commands) marked(env []string) []string {
	for i, kv := range env {
		if v, ok := strings.CutPrefix(kv, markVar+"="); ok {
			env[i] = markVar + "=" + strings.TrimSpace(v+" "+c.mark)
			return env
		}
	}
	return append(env, markVar+"="+c.mark)
}

// endMarked kills every process that carries the evaluation's mark,
// wherever it went: each is stopped and the processes are listed again
// until no new one shows (none then starts another), then all are
// killed. It is the end of an evaluation cut short, for the processes
// killTree does not reach: a command's orphans and daemons. Processes
// are found in /proc: elsewhere none is.
func (c *commands) endMarked() {
	stopped := map[int]bool{}
	for range 100 {
		found := false
		for _, pid := range markedProcs(c.mark) {
			if !stopped[pid] && syscall.Kill(pid, syscall.SIGSTOP) == nil {
				stopped[pid], found = true, true
				waitStopped(pid)
			}
		}
		if !found {
			break
		}
	}
	for pid := range stopped {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// markedProcs returns the processes whose environment has mark among
// markVar's marks.
func markedProcs(mark string) []int {
	procs, _ := os.ReadDir("/proc")
	prefix := []byte(markVar + "=")
	var out []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile("/proc/" + p.Name() + "/environ")
		if err != nil {
			continue
		}
		for kv := range bytes.SplitSeq(env, []byte{0}) {
			if v, ok := bytes.CutPrefix(kv, prefix); ok && slices.Contains(strings.Fields(string(v)), mark) {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// start counts a command about to start; false once the evaluation ended.
func (c *commands) start() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.wg.Add(1)
	return true
}

// wait waits for the commands running, once the evaluation's context
// is done, and lets no other start.
func (c *commands) wait() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
}

// environ is the environment of a command the handler hc runs.
func environ(hc interp.HandlerContext) []string {
	env := exportedOf(hc.Env)
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	return list
}

// killTree kills p and every process descended from it. Each is stopped
// and, once it is, its children are listed, so that none starts another
// unseen; then all are killed. Descendants are found in /proc: elsewhere
// only p is.
func killTree(p *os.Process) error {
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		return err
	}
	tree := []int{p.Pid}
	for i := 0; i < len(tree); i++ {
		waitStopped(tree[i])
		for _, c := range children(tree[i]) {
			if syscall.Kill(c, syscall.SIGSTOP) == nil {
				tree = append(tree, c)
			}
		}
	}
	for _, pid := range tree[1:] {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	return p.Kill()
}

// waitStopped waits, briefly, until the process pid is stopped or dead.
func waitStopped(pid int) {
	for range 100 {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		// The state follows the command's name, in parentheses.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 || i+2 >= len(stat) || strings.IndexByte("TtZX", stat[i+2]) >= 0 {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// children returns the children of the process pid, from every one of its
// threads.
func children(pid int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, _ := os.ReadDir(dir)
	var out []int
	for _, t := range tasks {
		list, _ := os.ReadFile(dir + t.Name() + "/children")
		for _, f := range strings.Fields(string(list)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
