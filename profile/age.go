package profile

import (
	"errors"
	"math"
	"time"
)

// ErrAge is an age that ParseAge does not read.
var ErrAge = errors.New("want an age such as 30d, 12h, 90m or 1d12h")

// ageUnits are the units of an age.
var ageUnits = map[byte]time.Duration{'d': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute, 's': time.Second}

// ParseAge reads an age as gc --older-than and delete-generations take it:
// whole numbers each followed by a unit, d (days), h (hours), m (minutes)
// or s (seconds): "30d", "12h", "90m", "1d12h".
func ParseAge(s string) (time.Duration, error) {
	if s == "" {
		return 0, ErrAge
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, ErrAge
		}
		unit, ok := ageUnits[s[i]]
		if !ok {
			return 0, ErrAge
		}
		var n time.Duration
		for _, c := range s[:i] {
			if n > (math.MaxInt64-9)/10 {
				return 0, ErrAge
			}
			n = n*10 + time.Duration(c-'0')
		}
		if n > (math.MaxInt64-total)/unit {
			return 0, ErrAge
		}
		total += n * unit
		s = s[i+1:]
	}
	return total, nil
}
