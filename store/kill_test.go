package store

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/noxenv/noxenv/internal/testutil"
)

// The helper process of TestAddKilled: it adds NOXENV_TEST_ADD_SRC to the
// store NOXENV_TEST_ADD_STORE and, with NOXENV_TEST_KILL_AT set, kills
// itself with SIGKILL at that step.
func TestAddKilledHelper(t *testing.T) {
	src, dir := os.Getenv("NOXENV_TEST_ADD_SRC"), os.Getenv("NOXENV_TEST_ADD_STORE")
	if src == "" {
		t.Skip("helper process only")
	}
	killAt(os.Getenv("NOXENV_TEST_KILL_AT"))
	sp, err := Open([]string{dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sp.Add(context.Background(), sp.Stores[0], src, AddOptions{}); err != nil {
		t.Fatal(err)
	}
}

// killAt makes the process kill itself with SIGKILL at the step at of an
// add or a receive; "" is nowhere.
func killAt(at string) {
	testHook = func(step string) {
		if step == at && at != "" {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
}

// TestAddKilled kills store adds at each step and at many moments of the
// copy: the store never shows a partial entry or broken metadata, and the
// next add completes.
func TestAddKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts many processes")
	}
	src := filepath.Join(t.TempDir(), "big-1.0")
	files := map[string]string{}
	for i := range 600 {
		files[fmt.Sprintf("share/d%02d/f%04d", i%20, i)] = strings.Repeat("x", i*7)
	}
	testutil.WriteFiles(t, src, files)
	testutil.WriteFiles(t, src, helloTree)

	run := func(st *Store, killAt string, after time.Duration) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAddKilledHelper$")
		cmd.Env = append(os.Environ(), "NOXENV_TEST_ADD_SRC="+src, "NOXENV_TEST_ADD_STORE="+st.Dir, "NOXENV_TEST_KILL_AT="+killAt)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if after > 0 {
			time.Sleep(after)
			cmd.Process.Kill()
		}
		cmd.Wait()
	}
	check := func(st *Store, what string) (entries int) {
		t.Helper()
		es, err := st.List()
		if err != nil {
			t.Fatalf("%s: store broken: %v", what, err)
		}
		for _, e := range es {
			if err := Verify(context.Background(), e); err != nil {
				t.Fatalf("%s: visible entry is not whole: %v", what, err)
			}
		}
		return len(es)
	}
	for _, step := range []string{"copied", "sealed", "renamed", "listed"} {
		_, st := testStore(t)
		run(st, step, 0)
		if n := check(st, "killed at "+step); n != 0 {
			t.Fatalf("killed at %s: %d entries visible", step, n)
		}
		// The next add completes the entry.
		run(st, "", 0)
		if n := check(st, "after "+step); n != 1 {
			t.Fatalf("add after a kill at %s: %d entries, want 1", step, n)
		}
	}
	_, st := testStore(t)
	for i := range 12 {
		d := time.Duration(1<<i) * 200 * time.Microsecond
		run(st, "", d)
		check(st, fmt.Sprintf("killed after %v", d))
	}
	run(st, "", 0)
	if n := check(st, "final add"); n != 1 {
		t.Fatalf("final add: %d entries, want 1", n)
	}
}
