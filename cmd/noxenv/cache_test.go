//go:build oci

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/cache"
)

// A transfer's progress line appears once it has run half a second, is
// rewritten in place, and is cleared when the transfer is over.
func TestOCITransferProgress(t *testing.T) {
	var b strings.Builder
	p := &progressLine{w: &b, start: time.Now()}
	p.transfer("fetching", cache.Progress{Entries: 3, Done: 1, Bytes: 2048})
	if b.Len() != 0 {
		t.Fatalf("shown at once: %q", b.String())
	}
	p.start = time.Now().Add(-time.Second)
	p.transfer("fetching", cache.Progress{Entries: 3, Done: 1, Bytes: 2048})
	if got := b.String(); !strings.HasPrefix(got, "\r\x1b[Knoxenv: fetching 1/3 entries, 2.0 KiB, ") {
		t.Fatalf("progress line %q", got)
	}
	b.Reset()
	p.transfer("fetching", cache.Progress{Entries: 3, Done: 2, Bytes: 4096, Over: true})
	if got := b.String(); got != "\r\x1b[K" {
		t.Fatalf("at the end: %q, want the line cleared", got)
	}
}
