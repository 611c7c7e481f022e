package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// RemoveTree removes the file or tree at path, making read-only
// directories writable on the way (entry trees and generation trees are
// read-only). A missing path is not an error. step is called before each
// change on disk; its error stops the removal there.
func RemoveTree(path string, step func() error) error {
	parent, err := unix.Open(filepath.Dir(path), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	defer unix.Close(parent)
	if err := removeAt(parent, filepath.Base(path), false, step); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// removeAt removes name in the directory dirfd; isDir says the directory
// listing knows it is a directory.
func removeAt(dirfd int, name string, isDir bool, step func() error) error {
	if err := step(); err != nil {
		return err
	}
	if !isDir {
		err := unix.Unlinkat(dirfd, name, 0)
		if err == nil || err == unix.ENOENT {
			return nil
		}
		if err != unix.EISDIR && err != unix.EPERM {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	dir := os.NewFile(uintptr(fd), name)
	defer dir.Close()
	if err := unix.Fchmod(fd, 0o700); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	des, err := dir.ReadDir(-1)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, de := range des {
		if err := removeAt(fd, de.Name(), de.IsDir(), step); err != nil {
			return fmt.Errorf("%s/%w", name, err)
		}
	}
	if err := step(); err != nil {
		return err
	}
	if err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
