package filetime

import (
	"sync"
	"time"
)

// Settled reports whether no write after now can give a file the
// modification time t: t is Past, or set in the future (touch -d), where
// no write now can reach.
func Settled(t, now time.Time) bool {
	return Past(t, now) || t.After(now.Add(Guard(t)))
}

// Past reports whether t is older than its guard at now: a write from now
// on gets a later time. A change time, which no one sets, is settled only
// so (one in the future says the clocks disagree).
func Past(t, now time.Time) bool {
	return !t.After(now.Add(-Guard(t)))
}

// Guard is how close to a modification time t another write may get the
// same time: the precision of the file system that stored t, plus a tick
// of the clock the kernel stamps writes with.
func Guard(t time.Time) time.Duration {
	return precision(t) + coarseTick()
}

// precision returns the precision the file system that stored t keeps,
// as its times show: the largest power of ten of nanoseconds that t's
// fraction of a second is a multiple of, one second for whole seconds
// and two for even ones (FAT). A file system keeping nanoseconds shows
// it in almost every time it stores; a time that is round by chance only
// makes the guard longer than needed.
func precision(t time.Time) time.Duration {
	ns := t.Nanosecond()
	if ns == 0 {
		if t.Unix()%2 == 0 {
			return 2 * time.Second
		}
		return time.Second
	}
	p := time.Nanosecond
	for ns%10 == 0 {
		ns /= 10
		p *= 10
	}
	return p
}

// coarseTick is the resolution of the clock the kernel stamps file
// writes with, read once.
var coarseTick = sync.OnceValue(clockTick)

// fallbackTick is the tick assumed when the kernel does not say: that of
// a kernel clocked at 100 Hz, the slowest in common use.
const fallbackTick = 10 * time.Millisecond
