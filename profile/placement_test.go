package profile

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// flagsOf reads the inode flags of dir (chattr's), or fails the test.
func flagsOf(t *testing.T, dir string) (uint32, error) {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	return unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
}

// Where the file system knows chattr +T (ext2/3/4), the directory of the
// generation trees carries it, so that each tree is placed anew.
func TestGenerationsSpread(t *testing.T) {
	sp := newStore(t)
	e := addEntry(t, sp, "a", "1.0", map[string]string{"bin/a": "a"})
	gens := filepath.Join(t.TempDir(), "generations")
	if _, err := Realize(sp, gens, []Member{member(e, 5)}); err != nil {
		t.Fatal(err)
	}
	flags, err := flagsOf(t, gens)
	if err != nil {
		t.Skipf("%s keeps no inode flags: %v", gens, err)
	}
	// Whether the file system keeps the mark at all, set by hand.
	probe := t.TempDir()
	fd, err := unix.Open(probe, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	err = unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, fsTopdirFL)
	unix.Close(fd)
	if f, _ := flagsOf(t, probe); err != nil || f&fsTopdirFL == 0 {
		t.Skipf("the file system of %s does not keep chattr +T (%v)", probe, err)
	}
	if flags&fsTopdirFL == 0 {
		t.Errorf("flags of %s: %#x, want chattr +T (%#x)", gens, flags, fsTopdirFL)
	}
}
