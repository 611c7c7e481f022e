package activate

import (
	"context"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
)

// openFiles are the files an evaluation's redirections opened. An
// evaluation cut short closes them: a read that never ends by itself (a
// device that always has more, a FIFO whose writer never writes) then
// returns, where the interpreter's read and $(<f) do not look at the
// context.
type openFiles struct {
	mu     sync.Mutex
	files  []*os.File
	closed bool
}

// add keeps f to be closed with the others; once they were, it closes f
// and returns false.
func (o *openFiles) add(f *os.File) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		f.Close()
		return false
	}
	o.files = append(o.files, f)
	return true
}

// closeAll closes every file added, and those added from now on.
func (o *openFiles) closeAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	for _, f := range o.files {
		f.Close() // closed already by the interpreter, mostly
	}
	o.files = nil
}

// openFile opens the file p as the interpreter does, except that opening a
// FIFO, which waits for a process to open its other end, ends with the
// evaluation's context.
func openFile(ctx context.Context, p string, flag int, perm os.FileMode) (*os.File, error) {
	if fi, err := os.Stat(p); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		return os.OpenFile(p, flag, perm)
	}
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(p, flag, perm)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		return o.f, o.err
	case <-ctx.Done():
	}
	// Opening the other end lets the waiting open return; both are closed.
	other := os.O_RDONLY
	if flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		other = os.O_WRONLY
	}
	if f, err := os.OpenFile(p, other|syscall.O_NONBLOCK, 0); err == nil {
		defer f.Close()
	}
	if o := <-done; o.f != nil {
		o.f.Close()
	}
	return nil, ctx.Err()
}

// readScriptFile reads the file p for a builtin as the script's own
// redirections would: opening a FIFO and reading it end with the
// evaluation.
func (e *evaluator) readScriptFile(ctx context.Context, p string) ([]byte, error) {
	f, err := openFile(ctx, p, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	if !e.opened.add(f) {
		return nil, ctx.Err()
	}
	defer f.Close()
	return io.ReadAll(f)
}
