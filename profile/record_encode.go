package profile

import (
	"encoding/json"
	"slices"
	"strconv"
)

// encodeRecord appends r to b as json.Marshal writes it, without
// reflection: every change of a profile writes one, of all its members.
func encodeRecord(b []byte, r record) ([]byte, error) {
	t, err := r.Time.MarshalJSON()
	if err != nil {
		return nil, err
	}
	b = slices.Grow(b, 64+membersSize(r.Members)+membersSize(r.Added)+membersSize(r.Removed))
	b = append(b, `{"time":`...)
	b = append(b, t...)
	b = append(b, `,"members":`...)
	b = appendMembers(b, r.Members)
	if len(r.Added) > 0 {
		b = append(b, `,"added":`...)
		b = appendMembers(b, r.Added)
	}
	if len(r.Removed) > 0 {
		b = append(b, `,"removed":`...)
		b = appendMembers(b, r.Removed)
	}
	return append(b, '}'), nil
}

// membersSize is about what appendMembers writes of ms, at least that
// when no string needs escapes: the record's buffer grows once.
func membersSize(ms []Member) int {
	n := 16
	for _, m := range ms {
		n += 80 + len(m.Name) + len(m.Version) + len(m.Request) + len(m.ID)
	}
	return n
}

func appendMembers(b []byte, ms []Member) []byte {
	if ms == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendJSONString(b, m.Name)
		b = append(b, `,"version":`...)
		b = appendJSONString(b, m.Version)
		b = append(b, `,"request":`...)
		b = appendJSONString(b, m.Request)
		b = append(b, `,"id":`...)
		b = appendJSONString(b, m.ID)
		b = append(b, `,"priority":`...)
		b = strconv.AppendInt(b, int64(m.Priority), 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONString appends s quoted as json.Marshal quotes it: printable
// ASCII as it is, anything else (escapes, <, > and &, which it escapes
// too) by json.Marshal itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonVerbatim[s[i]] {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonVerbatim marks the bytes json.Marshal writes as they are in a
// string: printable ASCII but for ", \, <, > and &.
var jsonVerbatim = func() (t [256]bool) {
	for c := ' '; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()
