//go:build !front

package main

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/ulikunitz/xz"

	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
)

func init() {
	scriptCmds["mktar"] = cmdMktar
	scriptCmds["killafter"] = cmdKillAfter
}

// cmdKillAfter runs a command and sends it a signal after a delay, whether
// or not it has finished by then; its exit status does not matter:
//
//	killafter KILL|INT DURATION PROG ARG...
//
// PROG gets the script's PATH, HOME, and XDG_* and NOXENV_* variables.
func cmdKillAfter(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: killafter KILL|INT DURATION PROG ARG...")
	}
	sig := map[string]os.Signal{"KILL": os.Kill, "INT": os.Interrupt}[args[0]]
	delay, err := time.ParseDuration(args[1])
	if sig == nil || err != nil {
		ts.Fatalf("killafter: bad signal or duration %q %q", args[0], args[1])
	}
	prog, ok := front.LookPath(ts.MkAbs("."), ts.Getenv("PATH"), args[2])
	if !ok {
		ts.Fatalf("killafter: %s not found in the script's PATH", args[2])
	}
	cmd := exec.Command(prog, args[3:]...)
	cmd.Dir = ts.MkAbs(".")
	for _, k := range []string{"PATH", "HOME", "XDG_DATA_HOME", "XDG_DATA_DIRS", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "NOXENV_STORE_PATH", "NOXENV_LOG"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	ts.Check(cmd.Start())
	time.Sleep(delay)
	cmd.Process.Signal(sig)
	ts.Logf("killafter: %v", cmd.Wait())
}

// cmdMktar writes a tarball with exactly the members given, including ones
// no well-behaved tar would make:
//
//	mktar OUT.tar|OUT.tar.gz|OUT.tgz|OUT.tar.xz MEMBER...
//
// MEMBER is f:PATH=CONTENT (a file, CONTENT and a newline), x:PATH=CONTENT
// (an executable file), d:PATH (a directory), l:PATH=TARGET (a symlink),
// h:PATH=TARGET (a hard link), c:PATH (a character device), b:PATH (a block
// device) or p:PATH (a named pipe).
func cmdMktar(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: mktar OUT MEMBER...")
	}
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	var w io.WriteCloser = f
	switch out := args[0]; {
	case strings.HasSuffix(out, ".gz"), strings.HasSuffix(out, ".tgz"):
		w = gzip.NewWriter(f)
	case strings.HasSuffix(out, ".xz"):
		w, err = xz.NewWriter(f)
		ts.Check(err)
	}
	tw := tar.NewWriter(w)
	for _, m := range args[1:] {
		kind, rest, ok := strings.Cut(m, ":")
		if !ok {
			ts.Fatalf("mktar: bad member %q", m)
		}
		name, value, _ := strings.Cut(rest, "=")
		hdr := &tar.Header{Name: name, Mode: 0o644}
		var body string
		switch kind {
		case "f", "x":
			hdr.Typeflag = tar.TypeReg
			body = value + "\n"
			if kind == "x" {
				hdr.Mode = 0o755
			}
		case "d":
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		case "l":
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, value
		case "h":
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, value
		case "c":
			hdr.Typeflag = tar.TypeChar
		case "b":
			hdr.Typeflag = tar.TypeBlock
		case "p":
			hdr.Typeflag = tar.TypeFifo
		default:
			ts.Fatalf("mktar: unknown member kind %q", kind)
		}
		hdr.Size = int64(len(body))
		ts.Check(tw.WriteHeader(hdr))
		_, err := io.WriteString(tw, body)
		ts.Check(err)
	}
	ts.Check(tw.Close())
	ts.Check(w.Close())
	if w != io.WriteCloser(f) {
		ts.Check(f.Close())
	}
}
