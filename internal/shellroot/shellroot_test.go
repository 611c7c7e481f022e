package shellroot

import (
	"os"
	"path/filepath"
	"testing"
)

// A record names the generation for as long as its process runs, and
// no longer: not once the process id belongs to a process started at
// another time, nor once the process is a zombie.
func TestRecordLive(t *testing.T) {
	state := t.TempDir()
	if err := Record(state, os.Getpid(), "/gens/a"); err != nil {
		t.Fatal(err)
	}
	if err := Record(state, os.Getpid(), "/gens/b"); err != nil {
		t.Fatal(err)
	}
	des, err := os.ReadDir(Dir(state))
	if err != nil || len(des) != 1 {
		t.Fatalf("records %v, %v: want one", des, err)
	}
	name := des[0].Name()
	if gen, err := os.Readlink(filepath.Join(Dir(state), name)); err != nil || gen != "/gens/b" {
		t.Fatalf("record %s names %q, %v; want /gens/b", name, gen, err)
	}
	if !Live("/proc", name) {
		t.Errorf("%s: not live, though the process runs", name)
	}

	pid, start, host := parse(name)
	if local, err := os.Hostname(); err != nil || host != local || OtherHost(name) != "" {
		t.Errorf("record %s: host %q, want this one (%q, %v)", name, host, local, err)
	}
	for _, stat := range []string{
		pid + " (a) b) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 " + start + " 20\n",
		pid + " (sh) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 1" + start + " 20\n",
		pid + " (sh) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 " + start + " 20\n",
	} {
		proc := t.TempDir()
		if err := os.MkdirAll(filepath.Join(proc, pid), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(proc, pid, "stat"), []byte(stat), 0o600); err != nil {
			t.Fatal(err)
		}
		want := stat == pid+" (a) b) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "+start+" 20\n"
		if got := Live(proc, name); got != want {
			t.Errorf("stat %q: live %v, want %v", stat, got, want)
		}
	}
	if Live(t.TempDir(), name) {
		t.Errorf("%s: live without a process", name)
	}
	// Another host's shell only that host's /proc shows.
	other := pid + "-" + start + "-other-host.example"
	if !Live(t.TempDir(), other) || OtherHost(other) != "other-host.example" {
		t.Errorf("%s: not live, or its host %q not other-host.example", other, OtherHost(other))
	}
	if old := pid + "-" + start; Live(t.TempDir(), old) || OtherHost(old) != "" {
		t.Errorf("%s: a record without a host is this host's", old)
	}

	if err := Record(state, os.Getpid(), ""); err != nil {
		t.Fatal(err)
	}
	if des, _ := os.ReadDir(Dir(state)); len(des) != 0 {
		t.Errorf("records %v after removal, want none", des)
	}
}

// A record of the same generation is left as it is; one left half
// written by an export that was killed does not stop the next.
func TestRecordAgain(t *testing.T) {
	state := t.TempDir()
	if err := Record(state, os.Getpid(), "/gens/a"); err != nil {
		t.Fatal(err)
	}
	des, err := os.ReadDir(Dir(state))
	if err != nil || len(des) != 1 {
		t.Fatalf("records %v, %v: want one", des, err)
	}
	p := filepath.Join(Dir(state), des[0].Name())
	before, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := Record(state, os.Getpid(), "/gens/a"); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Lstat(p); err != nil || !os.SameFile(before, after) {
		t.Errorf("record of the same generation written again (%v)", err)
	}
	if err := os.Symlink("/gens/stale", filepath.Join(Dir(state), TmpPrefix+des[0].Name())); err != nil {
		t.Fatal(err)
	}
	if err := Record(state, os.Getpid(), "/gens/b"); err != nil {
		t.Fatal(err)
	}
	if gen, err := os.Readlink(p); err != nil || gen != "/gens/b" {
		t.Errorf("record names %q, %v; want /gens/b", gen, err)
	}
	if des, _ := os.ReadDir(Dir(state)); len(des) != 1 {
		t.Errorf("records %v, want one", des)
	}
}
