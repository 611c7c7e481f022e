package profile

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// encodeRecord writes what json.Marshal writes, byte for byte.
func FuzzEncodeRecord(f *testing.F) {
	f.Add("a", "1.0", "a@>=1", "abc-a-1.0", 5, int64(1796000000123456789), 0)
	f.Add("bé", "2", "b<&>", "x\"y\\z", -3, int64(0), 1)
	f.Add("\x00\u2028\xff", "", "", "", 0, int64(-62135596800000000000/1e9), 2)
	f.Fuzz(func(t *testing.T, name, version, request, id string, priority int, nanos int64, shape int) {
		m := Member{Name: name, Version: version, Request: request, ID: id, Priority: priority}
		r := record{Time: time.Unix(0, nanos).UTC()}
		switch shape % 4 {
		case 0:
			r.Members = []Member{m, m}
			r.Added = []Member{m}
		case 1:
			r.Members = []Member{}
			r.Removed = []Member{m}
		case 2:
			r.Time = time.Unix(0, nanos).In(time.FixedZone("X", 3600))
		}
		want, werr := json.Marshal(r)
		got, err := encodeRecord(nil, r)
		if (err != nil) != (werr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("encodeRecord(%#v) =\n%s, %v\nwant\n%s, %v", r, got, err, want, werr)
		}
	})
}

func TestEncodeRecordTimeOutOfRange(t *testing.T) {
	r := record{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := json.Marshal(r); err == nil {
		t.Fatal("json.Marshal takes the year 10000")
	}
	if b, err := encodeRecord(nil, r); err == nil {
		t.Errorf("encodeRecord = %s, want an error", b)
	}
}
