package testutil

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A Decoder is a hand-written JSON decoder that reads some documents
// itself and leaves the rest to encoding/json: Decode says whether it read
// b, and JSON reads b as encoding/json does. Samples are documents it reads
// itself (own) and documents it leaves to encoding/json (other).
type Decoder[T any] struct {
	Decode  func(b []byte) (T, bool)
	JSON    func(b []byte) (T, error)
	Samples func(t testing.TB) (own, other [][]byte)
}

// Unmarshal is encoding/json's reading of b into a T, for Decoder.JSON.
func Unmarshal[T any](b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// Test checks that d reads each of its own samples as encoding/json reads
// it, and leaves each of the others to encoding/json.
func (d Decoder[T]) Test(t *testing.T) {
	t.Helper()
	own, other := d.Samples(t)
	for _, b := range own {
		got, ok := d.Decode(b)
		if !ok {
			t.Errorf("%s: not decoded", b)
			continue
		}
		d.same(t, b, got)
	}
	for _, b := range other {
		if got, ok := d.Decode(b); ok {
			t.Errorf("%s: decoded as %#v, want it left to encoding/json", b, got)
		}
	}
}

// Fuzz seeds f with d's samples and checks that whatever d reads,
// encoding/json reads alike.
func (d Decoder[T]) Fuzz(f *testing.F) {
	own, other := d.Samples(f)
	for _, samples := range [][][]byte{own, other} {
		for _, b := range samples {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, ok := d.Decode(b); ok {
			d.same(t, b, got)
		}
	})
}

// same fails t unless encoding/json reads b as got.
func (d Decoder[T]) same(t *testing.T, b []byte, got T) {
	t.Helper()
	want, err := d.JSON(b)
	if err != nil {
		t.Errorf("%q: decoded, but encoding/json says %v", b, err)
	} else if !reflect.DeepEqual(got, want) {
		t.Errorf("%q:\n got %#v\nwant %#v", b, got, want)
	}
}
