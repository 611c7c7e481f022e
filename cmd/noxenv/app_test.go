//go:build !front

package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// An interrupt cancels the context of a command that waits on it.
func TestInterruptible(t *testing.T) {
	ctx := &interruptible{Context: context.Background()}
	defer ctx.stop()
	done := ctx.Done()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the interrupt did not cancel the context")
	}
	if err := ctx.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err() = %v after the interrupt", err)
	}
}
