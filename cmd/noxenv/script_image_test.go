//go:build !front

package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmds["runimage"] = cmdRunImage
	scriptCmds["layerfiles"] = cmdLayerFiles
	requiredTools["umoci"] = "umoci, to unpack images as a runtime does, checking every layer"
	requiredTools["busybox"] = "Debian's busybox-static, a program that runs in an image without a libc"
	requiredTools["unshare"] = "unshare (util-linux), to run a command in an unpacked image without a daemon"
}

// cmdRunImage runs a command in the root file system of a bundle that
// umoci unpacked, as a runtime would without a daemon: in user and mount
// namespaces, with /dev bound in, chrooted, with exactly the environment
// of the bundle's config.json:
//
//	runimage BUNDLE [CMD [ARG]...]
//
// Without CMD it runs the bundle's own command line.
func cmdRunImage(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: runimage BUNDLE [CMD [ARG]...]")
	}
	bundle := ts.MkAbs(args[0])
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	ts.Check(err)
	var spec struct {
		Process struct {
			Args []string `json:"args"`
			Env  []string `json:"env"`
		} `json:"process"`
	}
	ts.Check(json.Unmarshal(data, &spec))
	command := args[1:]
	if len(command) == 0 {
		command = spec.Process.Args
	}
	rootfs := filepath.Join(bundle, "rootfs")
	ts.Check(os.MkdirAll(filepath.Join(rootfs, "dev"), 0o755))
	var tools []string
	for _, t := range []string{"unshare", "sh", "mount", "chroot"} {
		p, err := exec.LookPath(t)
		ts.Check(err)
		tools = append(tools, p)
	}
	// The host's tools by path: the environment is the image's.
	const enter = `m=$1 c=$2; shift 2; "$m" --rbind /dev "$1/dev" && exec "$c" "$@"`
	argv := append([]string{"-r", "-m", "--propagation", "private", tools[1], "-c", enter, "sh", tools[2], tools[3], rootfs}, command...)
	cmd := exec.Command(tools[0], argv...)
	cmd.Env = spec.Process.Env
	cmd.Stdout, cmd.Stderr = ts.Stdout(), ts.Stderr()
	if err := cmd.Run(); (err != nil) != neg {
		ts.Fatalf("runimage %q: %v", command, err)
	}
}

// cmdLayerFiles prints, one a line, the members of layer N (from 0) of
// the image tagged TAG in the OCI layout DIR:
//
//	layerfiles DIR TAG N
func cmdLayerFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: layerfiles DIR TAG N")
	}
	dir := ts.MkAbs(args[0])
	n, err := strconv.Atoi(args[2])
	ts.Check(err)
	blob := func(d ocispec.Descriptor) string { return filepath.Join(dir, "blobs", "sha256", d.Digest.Encoded()) }
	var idx ocispec.Index
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	ts.Check(err)
	ts.Check(json.Unmarshal(data, &idx))
	for _, m := range idx.Manifests {
		if m.Annotations[ocispec.AnnotationRefName] != args[1] {
			continue
		}
		var man ocispec.Manifest
		data, err := os.ReadFile(blob(m))
		ts.Check(err)
		ts.Check(json.Unmarshal(data, &man))
		if n >= len(man.Layers) {
			ts.Fatalf("the image has %d layers", len(man.Layers))
		}
		f, err := os.Open(blob(man.Layers[n]))
		ts.Check(err)
		defer f.Close()
		zr, err := gzip.NewReader(f)
		ts.Check(err)
		tr := tar.NewReader(zr)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				return
			}
			ts.Check(err)
			fmt.Fprintln(ts.Stdout(), hdr.Name)
		}
	}
	ts.Fatalf("no image tagged %s in %s", args[1], dir)
}
