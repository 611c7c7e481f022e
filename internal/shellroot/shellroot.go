package shellroot

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/noxenv/noxenv/internal/plainfile"
)

// Dir holds the records of the state directory stateDir.
func Dir(stateDir string) string { return filepath.Join(stateDir, "shells") }

// TmpPrefix starts the name of a record being written.
const TmpPrefix = ".tmp-"

// Record notes in stateDir that the process pid has loaded the generation
// gen; gen "" removes the note. A process whose start cannot be read (no
// /proc) is not recorded.
func Record(stateDir string, pid int, gen string) error {
	name, ok := recordName("/proc", pid)
	if !ok {
		return nil
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		name += "-" + host
	}
	dir := Dir(stateDir)
	p := filepath.Join(dir, name)
	if gen == "" {
		if err := syscall.Unlink(p); err != nil && err != syscall.ENOENT {
			return &os.PathError{Op: "remove", Path: p, Err: err}
		}
		return nil
	}
	// A shell entering again the project it loaded last finds its record
	// as it left it (a shell leaves in its own builtins): one system call.
	if now, err := os.Readlink(p); err == nil && now == gen {
		return nil
	}
	tmp := filepath.Join(dir, TmpPrefix+name)
	err := os.Symlink(gen, tmp)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o700); err == nil {
			err = os.Symlink(gen, tmp)
		}
	} else if errors.Is(err, fs.ErrExist) {
		// Left by an export that was killed.
		os.Remove(tmp)
		err = os.Symlink(gen, tmp)
	}
	if err != nil {
		return err
	}
	// syscall.Rename: os.Rename looks first whether p is a directory.
	if err := syscall.Rename(tmp, p); err != nil {
		syscall.Unlink(tmp)
		return &os.LinkError{Op: "rename", Old: tmp, New: p, Err: err}
	}
	return nil
}

// Live says whether the record named name (an entry of Dir) belongs to a
// process that still runs, as procDir (/proc) tells. A record of another
// host (a state directory in a home that several machines share) is
// live: only that host can tell, and a gc there removes it once its shell
// has ended.
func Live(procDir, name string) bool {
	if OtherHost(name) != "" {
		return true
	}
	pid, start, _ := parse(name)
	n, err := strconv.Atoi(pid)
	if err != nil {
		return false
	}
	now, ok := recordName(procDir, n)
	return ok && now == pid+"-"+start
}

// PID is the process id of the shell of the record named name.
func PID(name string) string {
	pid, _, _ := parse(name)
	return pid
}

// OtherHost is the host of the record named name when it is another than
// this one, and "" when it is this one (or the record names none).
func OtherHost(name string) string {
	_, _, host := parse(name)
	if host == "" {
		return ""
	}
	if local, err := os.Hostname(); err == nil && host == local {
		return ""
	}
	return host
}

// parse returns the parts of a record's name: the shell's process id, its
// start time and its host ("" in a record written without one).
func parse(name string) (pid, start, host string) {
	parts := strings.SplitN(name, "-", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2]
}

// recordName is the record's name for the process pid: PID-START, START
// its start time in clock ticks after boot, the 22nd field of
// procDir/PID/stat.
func recordName(procDir string, pid int) (string, bool) {
	stat, err := plainfile.ReadFile(filepath.Join(procDir, strconv.Itoa(pid), "stat"))
	if err != nil {
		return "", false
	}
	// The command's name, the second field, may hold spaces and
	// parentheses: the fields after it start after the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return "", false
	}
	fields := strings.Fields(string(stat[i+1:]))
	// fields[0] is the third field, the state: a process that has ended
	// and not yet been waited for (a zombie, or dead) no longer runs.
	if len(fields) < 20 || fields[0] == "Z" || fields[0] == "X" {
		return "", false
	}
	return strconv.Itoa(pid) + "-" + fields[19], true
}
