package cache

import (
	"bytes"
	"errors"
	"testing"
)

// What is written reaches w whole and in order, in writes of any size.
func TestAsyncWriterOrder(t *testing.T) {
	var want, got bytes.Buffer
	a := newAsyncWriter(&got)
	for i := range 3000 {
		p := bytes.Repeat([]byte{byte(i)}, i*37%2000)
		want.Write(p)
		if _, err := a.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("%d bytes arrived of %d written, or out of order", got.Len(), want.Len())
	}
}

type failingWriter struct{ n int }

var errFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n += len(p); w.n > 1<<20 {
		return 0, errFull
	}
	return len(p), nil
}

// An error of w stops the writes that follow it, and Close returns it.
func TestAsyncWriterError(t *testing.T) {
	a := newAsyncWriter(&failingWriter{})
	chunk := make([]byte, 64<<10)
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		_, err = a.Write(chunk)
	}
	if !errors.Is(err, errFull) {
		t.Errorf("writes went on after the error: %v", err)
	}
	if err := a.Close(); !errors.Is(err, errFull) {
		t.Errorf("Close: %v", err)
	}
}
