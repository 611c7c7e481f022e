// Package plainfile reads small files with the system's calls alone.
package plainfile

import (
	"errors"
	"io/fs"
	"syscall"
)

// ReadFile returns the content of the regular file p, as os.ReadFile
// does, with the system's calls alone: os.File registers every file it
// opens with the runtime's network poller (started by the first, three
// calls more), five calls in all for a regular file, which the files a
// prompt reads (the project file, its lock and trust record, a cache
// record, the shell's /proc/PID/stat) cost every cd for nothing.
// Anything else is an error, found without waiting: a FIFO in a project
// file's place (anyone can make /tmp/.noxprofile) waited for a writer for
// ever, a device would not end.
func ReadFile(p string) ([]byte, error) {
	fd, err := open(p)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errNotRegular}
	}
	size := 0
	if st.Size > 0 {
		size = int(st.Size)
	}
	data := make([]byte, 0, size+1) // one more: the read that sees the end
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: p, Err: err}
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
	}
}

// errNotRegular is a file ReadFile refuses.
var errNotRegular = errors.New("not a regular file")

// open opens p for reading, again after an interruption, without waiting
// (for a FIFO's writer).
func open(p string) (int, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
