//go:build !front

package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A pull killed with SIGKILL at many moments leaves every visible entry
// whole with its references, and nothing else visible; the next pull
// completes the closure.
func TestCachePullKilled(t *testing.T) {
	a := newWorld(t, t.TempDir())
	for i := range 600 {
		a.file(fmt.Sprintf("src/big-1.0/share/d%02d/f%04d", i%20, i), strings.Repeat("x", i*37), 0o644)
	}
	a.must("store", "add", "src/big-1.0")
	a.pkg("lib")
	a.pkg("tool", "--dep", "lib", "--dep", "big")
	cacheDir := filepath.Join(t.TempDir(), "cache")
	a.must("cache", "push", cacheDir, "tool")
	id := regexp.MustCompile(`[0-9a-z]{32}-tool-1\.0`).FindString(a.must("store", "list"))

	b := newWorld(t, t.TempDir())
	b.must("store", "init", b.storeDir())
	for i := range 14 {
		after := time.Duration(1<<i) * 250 * time.Microsecond
		cmd := exec.Command("noxenv", "cache", "pull", cacheDir, id)
		cmd.Env = b.env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Kill()
		cmd.Wait()
		b.checkStore(fmt.Sprintf("killed after %v", after))
	}
	b.must("cache", "pull", cacheDir, id)
	b.checkStore("after the last pull")
	if out := b.must("store", "list"); strings.Count(out, "\n") != 3 {
		t.Fatalf("store list after the last pull:\n%s", out)
	}
	b.must("store", "verify")
}
