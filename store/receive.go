package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// Incoming is an entry arriving from elsewhere (a binary cache) as a tar
// stream of its tree: untrusted input until its id is verified.
type Incoming struct {
	// ID is the entry asked for: the tree must hash to it.
	ID string
	// Info is the entry's metadata as the sender declares it: its name,
	// version, references and env settings must give ID with the tree's
	// hash; its size bounds the file contents written.
	Info *Info
}

// ReceiveError is an incoming entry that does not match its id. Its
// message is the reason only: the caller names the entry and where it
// came from.
type ReceiveError struct {
	ID     string
	Reason string
}

func (e *ReceiveError) Error() string { return e.Reason }

// Receive unpacks the uncompressed tar stream r (a "tarball layer" in
// errors) as the entry in.ID of st.
// The members are refused as store add refuses a tarball's, and written
// into a hidden directory of st, never more file contents than in.Info
// declares; the entry becomes visible only once the tree's hash and its
// metadata give in.ID. Its references must be in st or the path
// already, so that every visible entry's closure is complete. An entry that exists
// already is left as it is (existed is then true).
func (sp *SearchPath) Receive(ctx context.Context, st *Store, in Incoming, r io.Reader) (e *Entry, existed bool, err error) {
	if !st.Writable {
		return nil, false, &NoWritableStoreError{Dir: st.Dir, Managed: st.Managed}
	}
	fail := func(format string, args ...any) error {
		return &ReceiveError{ID: in.ID, Reason: fmt.Sprintf(format, args...)}
	}
	if _, name, version, ok := ParseID(in.ID); !ok || in.Info == nil || in.Info.Name != name || in.Info.Version != version {
		return nil, false, fail("its metadata does not name it")
	}
	if in.Info.Size < 0 {
		return nil, false, fail("negative size")
	}
	release, err := sp.guardWith(st)
	if err != nil {
		return nil, false, err
	}
	defer release()
	if e, err := st.lookup(in.ID); err != nil || e != nil {
		return e, e != nil, err
	}
	for _, ref := range in.Info.References {
		if ref == in.ID {
			continue
		}
		if _, err := sp.GetIn(st, ref); err != nil {
			return nil, false, fail("its reference %s is in no store: %v", ref, err)
		}
	}

	// Asked before the temporary tree exists, as in Add.
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	tmp, err := os.MkdirTemp(st.Dir, ".tmp-receive-")
	if err != nil {
		return nil, false, fmt.Errorf("store %s: %w", st.Dir, err)
	}
	defer removeTree(tmp) // gone once published
	t := &tree{refs: map[string]bool{}}
	x := &tarImport{src: "layer", dst: tmp, t: t, sc: newRefScanner(nil), budget: in.Info.Size}
	if _, err := unpack(ctx, x, r); err != nil {
		var te *TarballError
		if !errors.As(err, &te) && ctx.Err() == nil {
			// Not the layer's fault: making a directory or a link failed.
			err = &WriteError{Err: err}
		}
		return nil, false, err
	}
	testHook("unpacked")

	info := *in.Info
	info.References = append([]string{}, in.Info.References...)
	sort.Strings(info.References)
	if info.Env == nil {
		info.Env = []EnvSetting{}
	}
	info.Hash = formatHash(treeHash(t.items))
	info.Size, info.Files = totals(t.items)
	if in.Info.Hash != "" && info.Hash != in.Info.Hash {
		return nil, false, fail("its content hash is %s, its metadata says %s", info.Hash, in.Info.Hash)
	}
	if id := entryID(&info); id != in.ID {
		return nil, false, fail("its content and metadata give the id %s", id)
	}
	if err := seal(tmp, t.items); err != nil {
		return nil, false, err
	}
	info.Added = time.Now().UTC()
	testHook("verified")
	existed, err = st.publish(tmp, in.ID, &info, listingOf(t.items))
	if err != nil {
		return nil, false, fmt.Errorf("entry %s: %w", in.ID, err)
	}
	e, err = st.lookup(in.ID)
	if err == nil && e == nil {
		err = fmt.Errorf("entry %s vanished from store %s", in.ID, st.Dir)
	}
	return e, existed, err
}
