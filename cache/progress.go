package cache

import (
	"io"
	"sync"
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

// progressEvery is how often, at most, a transfer reports its progress.
const progressEvery = 200 * time.Millisecond

// meter counts a transfer's progress from several goroutines and reports
// it to fn (when set) as it goes, at most every progressEvery, one report
// at a time.
type meter struct {
	entries int
	fn      func(Progress)
	done    atomic.Int64
	bytes   atomic.Int64
	last    atomic.Int64 // when it last reported, in Unix nanoseconds
	mu      sync.Mutex
}

func newMeter(entries int, fn func(Progress)) *meter {
	m := &meter{entries: entries, fn: fn}
	m.last.Store(time.Now().UnixNano())
	return m
}

func (m *meter) progress() Progress {
	return Progress{Entries: m.entries, Done: int(m.done.Load()), Bytes: m.bytes.Load()}
}

// add counts n bytes, and reports when it is time.
func (m *meter) add(n int) {
	m.bytes.Add(int64(n))
	if m.fn == nil {
		return
	}
	now, last := time.Now().UnixNano(), m.last.Load()
	if now-last >= int64(progressEvery) && m.last.CompareAndSwap(last, now) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.fn(m.progress())
	}
}

// over reports the end of the transfer.
func (m *meter) over() {
	if m.fn != nil {
		m.mu.Lock()
		defer m.mu.Unlock()
		p := m.progress()
		p.Over = true
		m.fn(p)
	}
}

// meterReader and meterWriter count what passes through them.
type (
	meterReader struct {
		r io.Reader
		m *meter
	}
	meterWriter struct {
		w io.Writer
		m *meter
	}
)

func (c meterReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.m.add(n)
	return n, err
}

func (c meterWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.m.add(n)
	return n, err
}
