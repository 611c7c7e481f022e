package filetime

import (
	"time"

	"golang.org/x/sys/unix"
)

// clockTick returns the resolution of CLOCK_REALTIME_COARSE, the clock
// Linux stamps file writes with.
func clockTick() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGetres(unix.CLOCK_REALTIME_COARSE, &ts); err != nil || ts.Nano() <= 0 {
		return fallbackTick
	}
	return time.Duration(ts.Nano())
}
