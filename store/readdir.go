package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dirItem is an item of a store's directory: its name, and whether it is
// a directory itself (not a symlink to one), as os.DirEntry.IsDir says.
type dirItem struct {
	name  string
	isDir bool
}

// The fields of a record getdents64 returns (unix.Dirent).
const (
	direntReclen = unsafe.Offsetof(unix.Dirent{}.Reclen)
	direntType   = unsafe.Offsetof(unix.Dirent{}.Type)
	direntName   = unsafe.Offsetof(unix.Dirent{}.Name)
)

// readItems lists the directory dir as os.ReadDir does, unsorted, without
// a DirEntry and a string allocated per item: the names of one read share
// a string, made of them alone. Resolving names lists each store once,
// and a store holds three items per entry; allocating for each cost a
// page fault every twenty or so items. Names keep refuses (an index has
// no use for hidden names and listings) are left out.
func readItems(dir string, keep func(name []byte) bool) ([]dirItem, error) {
	fd, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return readDirItems(fd, dir, keep)
}

// openDir opens the directory dir for readDirItems.
func openDir(dir string) (int, error) {
	fd, err := openRetry(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return fd, nil
}

// readDirItems is readItems of the directory dir open at fd.
func readDirItems(fd int, dir string, keep func(name []byte) bool) ([]dirItem, error) {
	// The buffer small files are read into: memory the process has
	// touched already (see readFile).
	pooled := readBufs.Get().(*[]byte)
	defer readBufs.Put(pooled)
	buf := (*pooled)[:cap(*pooled)]
	var items []dirItem
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			return items, nil
		}
		if items == nil {
			items = make([]dirItem, 0, 4*n/64) // records of 64 bytes, several reads
		}
		// The names kept are moved to the front of buf, each ended by a
		// NUL (which no name holds): a name is shorter than its record,
		// so none overtakes a record not read yet.
		first, w := len(items), 0
		for off := 0; off < n; {
			reclen := int(binary.NativeEndian.Uint16(buf[off+int(direntReclen):]))
			rec := buf[off : off+reclen]
			off += reclen
			name := rec[direntName:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if string(name) == "." || string(name) == ".." || keep != nil && !keep(name) {
				continue
			}
			isDir := rec[direntType] == unix.DT_DIR
			if rec[direntType] == unix.DT_UNKNOWN {
				// A file system that does not say: look, as os does.
				var st unix.Stat_t
				err := unix.Fstatat(fd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW)
				if errors.Is(err, unix.ENOENT) {
					continue // removed meanwhile
				}
				if err != nil {
					return nil, &os.PathError{Op: "lstat", Path: dir + "/" + string(name), Err: err}
				}
				isDir = st.Mode&unix.S_IFMT == unix.S_IFDIR
			}
			w += copy(buf[w:], name)
			buf[w] = 0
			w++
			items = append(items, dirItem{isDir: isDir})
		}
		names := string(buf[:w])
		for i := first; i < len(items); i++ {
			end := strings.IndexByte(names, 0)
			items[i].name, names = names[:end], names[end+1:]
		}
	}
}
