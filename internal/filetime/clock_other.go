//go:build !linux

package filetime

import "time"

// clockTick: without a way to ask, the coarsest tick common kernels use.
func clockTick() time.Duration { return fallbackTick }
