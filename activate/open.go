package activate

import (
	"context"
	"io/fs"
	"os"
	"syscall"
)

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
