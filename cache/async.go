package cache

import (
	"io"
	"sync"
	"sync/atomic"
)

// asyncWriter passes what is written to it on to w from a goroutine of its
// own, in chunks, so that its writer and w work at the same time (reading
// files and compressing, compressing and hashing). An error of w is
// returned by the writes after it and by Close.
type asyncWriter struct {
	w    io.Writer
	buf  *[]byte
	full chan *[]byte
	done chan struct{}
	err  atomic.Pointer[error]
}

// asyncChunk is the size of the chunks, of which asyncChunks at most wait
// for w.
const (
	asyncChunk  = 256 << 10
	asyncChunks = 4
)

// chunks are shared by the writers: a small layer takes one for a moment.
var chunks = sync.Pool{New: func() any { b := make([]byte, 0, asyncChunk); return &b }}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, full: make(chan *[]byte, asyncChunks), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for b := range a.full {
			if a.err.Load() == nil {
				if _, err := a.w.Write(*b); err != nil {
					a.err.Store(&err)
				}
			}
			*b = (*b)[:0]
			chunks.Put(b)
		}
	}()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	if err := a.err.Load(); err != nil {
		return 0, *err
	}
	n := len(p)
	for len(p) > 0 {
		if a.buf == nil {
			a.buf = chunks.Get().(*[]byte)
		}
		b := *a.buf
		k := copy(b[len(b):cap(b)], p)
		*a.buf, p = b[:len(b)+k], p[k:]
		if len(*a.buf) == cap(*a.buf) {
			a.full <- a.buf
			a.buf = nil
		}
	}
	return n, nil
}

// Close writes what is left and waits until w has it all.
func (a *asyncWriter) Close() error {
	if a.buf != nil {
		a.full <- a.buf
		a.buf = nil
	}
	close(a.full)
	<-a.done
	if err := a.err.Load(); err != nil {
		return *err
	}
	return nil
}
