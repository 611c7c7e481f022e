package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// tree is what an import built: the items of the tree, the entries its
// contents refer to, and how far it got.
type tree struct {
	items []*item
	refs  map[string]bool
	files atomic.Int64
	bytes atomic.Int64
}

func (t *tree) progress() Progress {
	return Progress{Files: int(t.files.Load()), Bytes: t.bytes.Load()}
}

// copyBufSize is the size of each copier's buffer.
const copyBufSize = 256 << 10

// filePerm is the mode of a file once it is in an entry: read-only.
func filePerm(kind byte) uint32 {
	if kind == kindExec {
		return 0o555
	}
	return 0o444
}

// walkWorkers is how many files a tree walk reads (and writes) at once:
// more than the processors, since much of the time goes to waiting for the
// file system.
func walkWorkers() int { return max(4, 4*runtime.NumCPU()) }

// copyDir copies the directory src into dst (which exists), hashing and
// scanning each file while it is copied, many directories and files at
// once. Directories are left writable; the caller seals the tree.
func copyDir(ctx context.Context, src, dst string, known map[string]string, t *tree) error {
	return walkTree(ctx, src, dst, known, t)
}

// hashTree hashes the tree at root, many files at once.
func hashTree(ctx context.Context, root string) ([]*item, error) {
	t := &tree{refs: map[string]bool{}}
	if err := walkTree(ctx, root, "", nil, t); err != nil {
		return nil, err
	}
	return t.items, nil
}

// walkJob is a directory to read or a file to copy, relative to the root.
type walkJob struct {
	rel string
	dir bool
}

// walkQueue hands out the jobs of a tree walk; a job may add more.
type walkQueue struct {
	mu      sync.Mutex
	cond    sync.Cond
	jobs    []walkJob
	pending int // queued or running
	err     error
}

func (q *walkQueue) push(j walkJob) {
	q.mu.Lock()
	q.jobs = append(q.jobs, j)
	q.pending++
	q.mu.Unlock()
	q.cond.Signal()
}

// pop waits for a job; ok is false once all are done or one failed.
func (q *walkQueue) pop() (j walkJob, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.jobs) == 0 && q.pending > 0 && q.err == nil {
		q.cond.Wait()
	}
	if q.err != nil || len(q.jobs) == 0 {
		return walkJob{}, false
	}
	// Last in, first out: depth first, files of the directory just read.
	j = q.jobs[len(q.jobs)-1]
	q.jobs = q.jobs[:len(q.jobs)-1]
	return j, true
}

// done ends a job, with its error if any.
func (q *walkQueue) done(err error) {
	q.mu.Lock()
	q.pending--
	if err != nil && q.err == nil {
		q.err = err
	}
	last := q.pending == 0 || q.err != nil
	q.mu.Unlock()
	if last {
		q.cond.Broadcast()
	}
}

// walker is one worker of a tree walk.
type walker struct {
	src, dst string // dst "" hashes without copying
	q        *walkQueue
	t        *tree
	sc       *refScanner
	buf      []byte
	items    []*item
}

// walkTree walks the tree at src with many workers, hashing every file and
// recording every item in t; unless dst is "", it copies the tree into dst
// (which exists), scanning contents and symlink targets for the hashes of
// known.
func walkTree(ctx context.Context, src, dst string, known map[string]string, t *tree) error {
	q := &walkQueue{}
	q.cond.L = &q.mu
	q.push(walkJob{rel: "", dir: true})
	stop := context.AfterFunc(ctx, func() { q.fail(ctx.Err()) })
	defer stop()
	workers := make([]*walker, walkWorkers())
	var wg sync.WaitGroup
	for i := range workers {
		w := &walker{src: src, dst: dst, q: q, t: t, sc: newRefScanner(known), buf: make([]byte, copyBufSize)}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j, ok := q.pop()
				if !ok {
					return
				}
				q.done(w.do(j))
			}
		}()
	}
	wg.Wait()
	if q.err != nil {
		return q.err
	}
	for _, w := range workers {
		t.items = append(t.items, w.items...)
		for id := range w.sc.found {
			t.refs[id] = true
		}
	}
	return nil
}

// fail stops the walk with err.
func (q *walkQueue) fail(err error) {
	q.mu.Lock()
	if q.err == nil {
		q.err = err
	}
	q.mu.Unlock()
	q.cond.Broadcast()
}

func (w *walker) do(j walkJob) error {
	if j.dir {
		return w.readDir(j.rel)
	}
	it := &item{path: j.rel}
	w.items = append(w.items, it)
	return w.copyFile(it)
}

// join makes the path of rel under root.
func join(root, rel string) string {
	if rel == "" {
		return root
	}
	return root + "/" + rel
}

// readDir records the subdirectories and symlinks of the directory rel,
// making them under dst, and queues its files and subdirectories.
func (w *walker) readDir(rel string) error {
	des, err := os.ReadDir(join(w.src, rel))
	if err != nil {
		return readError(join(w.src, rel), err)
	}
	for _, de := range des {
		r := de.Name()
		if rel != "" {
			r = rel + "/" + r
		}
		switch typ := de.Type(); {
		case typ.IsDir():
			if w.dst != "" {
				if err := unix.Mkdir(join(w.dst, r), 0o755); err != nil {
					return &fs.PathError{Op: "mkdir", Path: join(w.dst, r), Err: err}
				}
			}
			w.items = append(w.items, &item{path: r, kind: kindDir})
			w.q.push(walkJob{rel: r, dir: true})
		case typ&fs.ModeSymlink != 0:
			target, err := os.Readlink(join(w.src, r))
			if err != nil {
				return readError(join(w.src, r), err)
			}
			if w.dst != "" {
				if err := os.Symlink(target, join(w.dst, r)); err != nil {
					return err
				}
			}
			w.items = append(w.items, &item{path: r, kind: kindSymlink, target: target})
			w.t.files.Add(1)
			if w.sc.active() {
				w.sc.scanString(target)
			}
		case typ.IsRegular():
			w.q.push(walkJob{rel: r})
		default:
			return fmt.Errorf("%s: %s not supported in an entry", join(w.src, r), fileTypeName(typ))
		}
	}
	return nil
}

// readError says that path could not be read, without the name of the
// system call that failed.
func readError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: "read", Path: path, Err: err}
}

// fileTypeName names a type of file an entry cannot hold.
func fileTypeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "file type " + m.Type().String()
}

// copyFile copies (or, without dst, reads) the regular file it.path,
// recording its kind, digest and size and scanning it for references. It
// goes straight to the system calls: the runtime's poller has nothing to
// offer regular files and costs several calls per file.
func (w *walker) copyFile(it *item) error {
	src := join(w.src, it.path)
	in, err := openRetry(src, unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return &fs.PathError{Op: "read", Path: src, Err: err}
	}
	defer unix.Close(in)
	var st unix.Stat_t
	if err := unix.Fstat(in, &st); err != nil {
		return &fs.PathError{Op: "read", Path: src, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%s: changed while being copied", src)
	}
	it.kind = kindFile
	if st.Mode&0o111 != 0 {
		it.kind = kindExec
	}
	out := -1
	if w.dst != "" {
		dst := join(w.dst, it.path)
		out, err = openRetry(dst, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL, filePerm(it.kind))
		if err != nil {
			return &fs.PathError{Op: "create", Path: dst, Err: err}
		}
		defer unix.Close(out)
	}
	if err := writeHashed(fdWriter(out), fdReader(in), it, w.buf, w.sc, w.t, st.Size); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

func openRetry(path string, mode int, perm uint32) (int, error) {
	for {
		fd, err := unix.Open(path, mode|unix.O_CLOEXEC, perm)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// readFile calls use with the contents of the small file at path, read
// over a plain file descriptor, sparing the runtime poller's system calls
// os.ReadFile makes (fcntl, epoll_ctl, fstat): metadata and listings are
// read by the hundred. The contents are in a buffer kept for the next
// read, which use must not keep: a new buffer for every file would be
// memory the process has never touched, and its first use by read(2) a
// page fault, which made up most of the time of reading 400 such files of
// a few hundred bytes. A FIFO put in a file's place (a store's or the
// user's cache) does not block: it is opened and read without waiting.
func readFile(path string, use func([]byte) error) error {
	fd, err := openRetry(path, unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	buf := readBufs.Get().(*[]byte)
	defer readBufs.Put(buf)
	b := (*buf)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
			*buf = b
		}
		n, err := fdReader(fd).Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return use(b)
		}
		if err != nil {
			return &fs.PathError{Op: "read", Path: path, Err: err}
		}
	}
}

var readBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 8<<10)
	return &b
}}

// fdReader and fdWriter are plain file descriptors as io.Reader and
// io.Writer; a negative fdWriter discards.
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(fd), p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

type fdWriter int

func (fd fdWriter) Write(p []byte) (int, error) {
	if fd < 0 {
		return len(p), nil
	}
	done := 0
	for done < len(p) {
		n, err := unix.Write(int(fd), p[done:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// WriteError is a failure to write a file into a store (a full disk, a
// quota): the store's, not the fault of what was being added or received.
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// writeHashed copies r to w, hashing and scanning what passes into it. It
// stops at EOF, or once it has copied size bytes when size >= 0 (sparing a
// read for most files): a file growing meanwhile is copied as it was.
// Failures to write are WriteErrors.
func writeHashed(w io.Writer, r io.Reader, it *item, buf []byte, sc *refScanner, t *tree, size int64) error {
	h := sha256.New()
	scan := sc.active()
	if scan {
		sc.reset()
	}
	for size < 0 || it.size < size {
		n, err := r.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			if scan {
				sc.Write(buf[:n])
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				return &WriteError{Err: werr}
			}
			it.size += int64(n)
			t.bytes.Add(int64(n))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	h.Sum(it.digest[:0])
	t.files.Add(1)
	return nil
}

// seal makes the directories of the tree at root read-only, deepest first,
// root last. Files are created read-only already.
func seal(root string, items []*item) error {
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].kind == kindDir {
			if err := os.Chmod(filepath.Join(root, items[i].path), 0o555); err != nil {
				return err
			}
		}
	}
	return os.Chmod(root, 0o555)
}

// removeTree removes a tree noxenv built, read-only directories included.
func removeTree(dir string) error {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}
