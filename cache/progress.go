package cache

import (
	"io"
	"sync/atomic"
	"time"
)

// Progress is how far a push or a pull is.
type Progress struct {
	Entries int   // entries to transfer
	Done    int   // entries transferred
	Bytes   int64 // bytes sent or received so far
	// Over is set on the last report of a transfer, done or failed.
	Over bool
}

// progressEvery is how often a transfer reports its progress.
const progressEvery = 200 * time.Millisecond

// meter counts a transfer's progress from several goroutines.
type meter struct {
	entries int
	done    atomic.Int64
	bytes   atomic.Int64
}

func (m *meter) progress() Progress {
	return Progress{Entries: m.entries, Done: int(m.done.Load()), Bytes: m.bytes.Load()}
}

// report calls fn with the progress now and then until stop is called,
// and once more then; a nil fn is never called.
func (m *meter) report(fn func(Progress)) (stop func()) {
	if fn == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				fn(m.progress())
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		p := m.progress()
		p.Over = true
		fn(p)
	}
}

// countingReader adds what passes through it to a meter.
type countingReader struct {
	r io.Reader
	m *meter
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.m.bytes.Add(int64(n))
	return n, err
}
