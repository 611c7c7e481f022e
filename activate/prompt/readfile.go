package prompt

import (
	"io/fs"
	"syscall"
)

// readFile returns the content of the file p, as os.ReadFile does, with
// the system's calls alone: os.File registers every file it opens with the
// runtime's network poller, five calls in all for a regular file, which
// the files a prompt reads (the project file, its lock and trust record,
// a cache record) cost every cd for nothing.
func readFile(p string) ([]byte, error) {
	fd, err := open(p)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	size := 0
	if syscall.Fstat(fd, &st) == nil && st.Size > 0 {
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

// open opens p for reading, again after an interruption.
func open(p string) (int, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
