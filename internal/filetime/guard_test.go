package filetime

import (
	"testing"
	"time"
)

func TestPrecision(t *testing.T) {
	for _, c := range []struct {
		ns   int
		sec  int64
		want time.Duration
	}{
		{0, 1700000000, 2 * time.Second},
		{0, 1700000001, time.Second},
		{120000000, 1700000001, 10 * time.Millisecond},
		{123000000, 1700000001, time.Millisecond},
		{123456700, 1700000001, 100 * time.Nanosecond},
		{123456789, 1700000001, time.Nanosecond},
	} {
		if got := precision(time.Unix(c.sec, int64(c.ns))); got != c.want {
			t.Errorf("precision(%d.%09d) = %v, want %v", c.sec, c.ns, got, c.want)
		}
	}
}

func TestSettled(t *testing.T) {
	// Nanosecond times: the guard is a tick and a nanosecond.
	mt := time.Unix(1700000001, 123456789)
	g := Guard(mt)
	if g != coarseTick()+time.Nanosecond {
		t.Fatalf("Guard(%v) = %v, want a tick (%v) and a nanosecond", mt, g, coarseTick())
	}
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{mt, false},                        // written now: the next write may get the same time
		{mt.Add(g - 1), false},             // within the guard
		{mt.Add(g), true},                  // past it
		{mt.Add(time.Hour), true},          // long ago
		{mt.Add(-g - 1), true},             // set in the future (touch -d)
		{mt.Add(-time.Millisecond), false}, // a clock a little behind the file system's
	} {
		if got := Settled(mt, c.now); got != c.want {
			t.Errorf("Settled(%v, now %v after it) = %v, want %v", mt, c.now.Sub(mt), got, c.want)
		}
		// Only the future tells the two apart.
		if past := Past(mt, c.now); past != (c.want && c.now.After(mt)) {
			t.Errorf("Past(%v, now %v after it) = %v", mt, c.now.Sub(mt), past)
		}
	}
	// Whole seconds: a write in the same second gets the same time.
	sec := time.Unix(1700000001, 0)
	if Settled(sec, sec.Add(900*time.Millisecond)) || !Settled(sec, sec.Add(time.Second+coarseTick())) {
		t.Errorf("whole seconds: settled within the second, or not after it")
	}
}
