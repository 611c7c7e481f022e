package activate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/noxenv/noxenv/activate/prompt"
)

func TestTrustIsKeyedOnPath(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "export A=1\n"})
	file := allowed(t, cfg, dir)
	other := filepath.Join(t.TempDir(), prompt.FileName)
	data, _ := os.ReadFile(file)
	os.WriteFile(other, data, 0o644)
	if b, err := prompt.CheckTrust(cfg.AllowDir, other); err != nil || b == nil || b.Allowed {
		t.Errorf("copy: blocked = %+v, %v; want not allowed", b, err)
	}
	if b, err := prompt.CheckTrust(cfg.AllowDir, file); err != nil || b != nil {
		t.Errorf("original: blocked = %+v, %v", b, err)
	}
	if err := prompt.Deny(cfg.AllowDir, file); err != nil {
		t.Fatal(err)
	}
	if b, _ := prompt.CheckTrust(cfg.AllowDir, file); b == nil {
		t.Error("trusted after deny")
	}
}

const (
	lockA = `{"version": 1, "packages": {"hello": {"id": "aaaa-hello-1.0"}, "jq": {"id": "jjjj-jq-1.6"}}}` + "\n"
	lockB = `{"version": 1, "packages": {"hello": {"id": "bbbb-hello-1.0"}, "yq": {"id": "yyyy-yq-4"}}}` + "\n"
)

// A lock changed after the allow blocks the project, naming the pins that
// changed; allowing again approves it.
func TestTrustCoversTheLock(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "touch pwned\n", prompt.LockName: lockA})
	file := allowed(t, cfg, dir)
	if b, err := prompt.CheckTrust(cfg.AllowDir, file); err != nil || b != nil {
		t.Fatalf("allowed with its lock: blocked = %+v, %v", b, err)
	}
	os.WriteFile(filepath.Join(dir, prompt.LockName), []byte(lockB), 0o644)
	_, err := Evaluate(context.Background(), cfg, file, nil)
	var b *prompt.BlockedError
	if !errors.As(err, &b) || !b.LockChanged || b.FileChanged || b.Reason() != "lock changed" {
		t.Fatalf("lock changed: err = %v (%+v)", err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Fatal("a project whose lock changed ran")
	}
	want := []string{"hello: aaaa-hello-1.0 -> bbbb-hello-1.0", "jq: jjjj-jq-1.6 -> none", "yq: none -> yyyy-yq-4"}
	if got := b.PinLines(); !slices.Equal(got, want) {
		t.Errorf("pins %q, want %q", got, want)
	}
	for _, w := range append(want, "is blocked: its lock .noxprofile.lock changed", "noxenv allow") {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message %q does not say %q", err, w)
		}
	}
	// The file changed as well: both are said.
	os.WriteFile(file, []byte("touch pwned2\n"), 0o644)
	if b, _ := prompt.CheckTrust(cfg.AllowDir, file); b == nil || b.Reason() != "file and lock changed" {
		t.Errorf("both changed: %+v", b)
	}
	allow(t, cfg, file)
	if b, err := prompt.CheckTrust(cfg.AllowDir, file); err != nil || b != nil {
		t.Errorf("allowed again: blocked = %+v, %v", b, err)
	}
	// A lock that appears, or vanishes, is a change too.
	os.Remove(filepath.Join(dir, prompt.LockName))
	if b, _ := prompt.CheckTrust(cfg.AllowDir, file); b == nil || !b.LockChanged || len(b.Pins) != 2 {
		t.Errorf("lock removed: %+v", b)
	}
	allow(t, cfg, file)
	os.WriteFile(filepath.Join(dir, prompt.LockName), []byte("not json"), 0o644)
	if b, _ := prompt.CheckTrust(cfg.AllowDir, file); b == nil || !b.LockChanged || b.BadLock == nil || !strings.Contains(b.Error(), "not valid JSON") {
		t.Errorf("lock not a lock: %+v", b)
	}
}

// noxenv's own lock writes keep the trust: only when the record approved
// the lock they replace.
func TestKeepTrust(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "export A=1\n"})
	file := allowed(t, cfg, dir)
	lock := filepath.Join(dir, prompt.LockName)
	os.WriteFile(lock, []byte(lockA), 0o644)
	if _, err := keepTrust(cfg.AllowDir, file, nil, []byte(lockA)); err != nil {
		t.Fatal(err)
	}
	if b, err := prompt.CheckTrust(cfg.AllowDir, file); err != nil || b != nil {
		t.Fatalf("first lock written by noxenv: blocked = %+v, %v", b, err)
	}
	// Someone else's lock in between: noxenv's next write does not make
	// it trusted.
	os.WriteFile(lock, []byte(lockB), 0o644)
	if rec, err := keepTrust(cfg.AllowDir, file, []byte(lockB), []byte(lockB)); err != nil || rec != nil {
		t.Fatal(err)
	}
	if b, _ := prompt.CheckTrust(cfg.AllowDir, file); b == nil || !b.LockChanged {
		t.Errorf("a lock written over another's kept the trust: %+v", b)
	}
}

// A record of the earlier format, the file's line alone, approved no
// lock: a project without a lock stays allowed, one with a lock is
// blocked until allowed again, with every pin said.
func TestTrustRecordOfEarlierFormat(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "export A=1\n"})
	file, _ := prompt.TrustPath(filepath.Join(dir, prompt.FileName))
	os.MkdirAll(cfg.AllowDir, 0o700)
	_, rec, _ := prompt.Approval(cfg.AllowDir, file)
	os.WriteFile(prompt.RecordOf(cfg.AllowDir, file), rec[:bytes.IndexByte(rec, '\n')+1], 0o600)
	if b, err := prompt.CheckTrust(cfg.AllowDir, file); err != nil || b != nil {
		t.Fatalf("no lock: blocked = %+v, %v", b, err)
	}
	os.WriteFile(filepath.Join(dir, prompt.LockName), []byte(lockA), 0o644)
	b, _ := prompt.CheckTrust(cfg.AllowDir, file)
	if b == nil || !b.LockChanged || !slices.Equal(b.PinLines(), []string{"hello: none -> aaaa-hello-1.0", "jq: none -> jjjj-jq-1.6"}) {
		t.Errorf("with a lock: %+v", b)
	}
}

// A sourced file is checked on its own content: its directory's lock is
// not its project's.
func TestSourcedFileIgnoresItsLock(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "export A=1\n", prompt.LockName: lockA})
	file := allowed(t, cfg, dir)
	os.WriteFile(filepath.Join(dir, prompt.LockName), []byte(lockB), 0o644)
	p, _ := prompt.TrustPath(file)
	if _, err := prompt.ReadTrusted(cfg.AllowDir, p); err != nil {
		t.Errorf("sourced: %v", err)
	}
}
