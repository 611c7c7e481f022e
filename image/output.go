package image

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
	"oras.land/oras-go/v2/content/oci"
)

// OutputError is an output path that holds something other than what a
// build would replace.
type OutputError struct {
	Path string
	What string // what it is instead
}

func (e *OutputError) Error() string {
	return fmt.Sprintf("%s exists and is %s, not an image to replace", e.Path, e.What)
}

// Hint names the fix.
func (e *OutputError) Hint() string { return "remove it, or write the image elsewhere with -o" }

// WriteLayout writes im as an OCI image layout directory at out, its
// image tagged tag. An image layout at out, or an empty directory, is
// replaced whole; anything else there is an error. The layout is built
// beside out and swapped in: out is never half-written.
func (im *Image) WriteLayout(ctx context.Context, out, tag string) error {
	dst, err := outputPath(out)
	if err != nil {
		return err
	}
	exists, err := checkLayout(dst, out)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".tmp-"+filepath.Base(dst)+"-")
	if err != nil {
		return cannotCreate(dst, err)
	}
	defer os.RemoveAll(tmp) // the old layout, once swapped
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	blobs := filepath.Join(tmp, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	for _, l := range im.layers {
		if err := linkOrCopy(l.file, filepath.Join(blobs, l.desc.Digest.Encoded())); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	s, err := oci.NewWithContext(ctx, tmp)
	if err != nil {
		return err
	}
	for _, b := range []struct {
		d    ocispec.Descriptor
		data []byte
	}{{im.configD, im.config}, {im.Manifest, im.manifest}} {
		if err := s.Push(ctx, b.d, bytes.NewReader(b.data)); err != nil {
			return err
		}
	}
	if err := s.Tag(ctx, im.Manifest, tag); err != nil {
		return err
	}
	// The library's directory of partial uploads, empty.
	os.Remove(filepath.Join(tmp, "ingest"))
	// An interrupt that came while the blobs were linked or copied
	// leaves the output as it was.
	if err := ctx.Err(); err != nil {
		return err
	}
	if !exists {
		return os.Rename(tmp, dst)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dst, unix.RENAME_EXCHANGE); err == nil {
		return nil
	}
	// A file system that cannot swap: the old layout goes first.
	old := tmp + ".old"
	if err := os.Rename(dst, old); err != nil {
		return err
	}
	defer os.RemoveAll(old)
	return os.Rename(tmp, dst)
}

// outputPath is the absolute path of the output out: the same file
// however it is named (with a trailing slash, as the working directory),
// so that what is written beside it and renamed lands there.
func outputPath(out string) (string, error) {
	if out == "" {
		return "", errors.New("no output path")
	}
	return filepath.Abs(out)
}

// checkLayout says whether dst, the output the user named out, exists as
// an image layout (or an empty directory) to replace, and is an error
// when it is anything else.
func checkLayout(dst, out string) (bool, error) {
	fi, err := os.Lstat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return false, &OutputError{out, "a symbolic link"}
	}
	if !fi.IsDir() {
		return false, &OutputError{out, "not a directory"}
	}
	if _, err := os.Stat(filepath.Join(dst, ocispec.ImageLayoutFile)); err == nil {
		return true, nil
	}
	des, err := os.ReadDir(dst)
	if err != nil {
		return false, err
	}
	if len(des) > 0 {
		return false, &OutputError{out, "a directory but no OCI image layout"}
	}
	return true, nil
}

// WriteArchive writes im as a docker-archive tarball at out, for docker
// load and podman load, naming it repoTags (NAME:TAG each). A
// docker-archive at out is replaced; anything else there is an error.
// The tarball is written beside out and renamed.
func (im *Image) WriteArchive(ctx context.Context, out string, repoTags []string) error {
	dst, err := outputPath(out)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(dst); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 {
			return &OutputError{out, "a symbolic link"}
		}
		if !fi.Mode().IsRegular() {
			return &OutputError{out, "not a file"}
		}
		if members, err := archiveMembers(dst); err != nil || !members["manifest.json"] {
			return &OutputError{out, "a file but no docker-archive"}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	configName := "blobs/sha256/" + im.configD.Digest.Encoded()
	man := []dockerArchiveManifest{{Config: configName, RepoTags: repoTags}}
	for _, l := range im.layers {
		man[0].Layers = append(man[0].Layers, "blobs/sha256/"+l.diffID.Encoded())
	}
	if man[0].RepoTags == nil {
		man[0].RepoTags = []string{}
	}
	manData, err := json.Marshal(man)
	if err != nil {
		return err
	}
	return writeAside(dst, func(f *os.File) error {
		tw := tar.NewWriter(f)
		for _, d := range []string{"blobs/", "blobs/sha256/"} {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
				return err
			}
		}
		if err := addBytes(tw, "manifest.json", manData); err != nil {
			return err
		}
		if err := addBytes(tw, configName, im.config); err != nil {
			return err
		}
		written := map[string]bool{}
		for i, l := range im.layers {
			if name := man[0].Layers[i]; !written[name] {
				written[name] = true
				if err := addLayer(ctx, tw, name, l); err != nil {
					return fmt.Errorf("layer %s: %w", l.desc.Digest, err)
				}
			}
		}
		return tw.Close()
	})
}

func addBytes(tw *tar.Writer, name string, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: 0o644, ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// addLayer writes the uncompressed tar of l as the member name.
func addLayer(ctx context.Context, tw *tar.Writer, name string, l layerBlob) error {
	size := l.tarSize
	if size == 0 {
		// A base's layer: its size is known once read.
		var n counter
		if err := uncompressed(l, &n); err != nil {
			return err
		}
		size = int64(n)
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return uncompressed(l, tw)
}

// uncompressed writes the uncompressed tar of l to w.
func uncompressed(l layerBlob, w io.Writer) error {
	f, err := os.Open(l.file)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	switch l.desc.MediaType {
	case ocispec.MediaTypeImageLayerGzip:
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		r = zr
	case ocispec.MediaTypeImageLayerZstd:
		zr, err := zstd.NewReader(f)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	}
	_, err = io.Copy(w, r)
	return err
}
