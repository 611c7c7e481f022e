package testutil

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// unreadableEnv passes the directory Unreadable made to the test it runs
// again as another user.
const unreadableEnv = "NOXENV_TEST_UNREADABLE"

// nobody is the user a test run by root runs again as.
const nobody = 65534

// Unreadable returns a directory, made by fill, that the test's user
// cannot read or search: another user's, as a store of the search path
// may be. Root reads every directory, so for root the test runs again as
// the user nobody, and Unreadable returns "" once that run has passed: the
// caller returns then.
func Unreadable(t *testing.T, fill func(dir string)) string {
	t.Helper()
	if dir := os.Getenv(unreadableEnv); dir != "" {
		return dir
	}
	if os.Geteuid() != 0 {
		dir := filepath.Join(t.TempDir(), "theirs")
		fill(dir)
		if err := os.Chmod(dir, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return dir
	}
	// Everything nobody needs lies in a directory it can search: the
	// directory, root's own, and a copy of the test binary.
	top, err := os.MkdirTemp("", "noxenv-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(top) })
	if err := os.Chmod(top, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(top, "theirs")
	fill(dir)
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(top, "test")
	if err := copyFile(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Dir = top
	cmd.Env = append(os.Environ(), unreadableEnv+"="+dir, "HOME="+top)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("as user %d: %v\n%s", nobody, err, out)
	}
	return ""
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
