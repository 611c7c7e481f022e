package main

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/ulikunitz/xz"
)

func init() {
	scriptCmds["mktar"] = cmdMktar
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
