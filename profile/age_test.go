package profile

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"30d", 30 * 24 * time.Hour},
		{"12h", 12 * time.Hour},
		{"90m", 90 * time.Minute},
		{"45s", 45 * time.Second},
		{"0d", 0},
		{"1d12h", 36 * time.Hour},
		{"1h30m", 90 * time.Minute},
		{"007d", 7 * 24 * time.Hour},
	} {
		got, err := ParseAge(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "d", "30", "-1d", "+1d", "1.5h", "1w", "1 d", "1D", "1dd", "d1",
		"106752d", "9223372036854775807s", "99999999999999999999m"} {
		if got, err := ParseAge(bad); !errors.Is(err, ErrAge) {
			t.Errorf("ParseAge(%q) = %v, %v; want ErrAge", bad, got, err)
		}
	}
}

// FuzzParseAge: an age read is never negative, and writing it back in
// whole seconds reads the same.
func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"30d", "12h", "90m", "1d12h", "", "1.5h", "99999999999999999999d", "0s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAge(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseAge(%q) = %v", s, d)
		}
		if strings.Trim(s, "0123456789dhms") != "" {
			t.Fatalf("ParseAge(%q) accepted other characters", s)
		}
		back := strconv.FormatInt(int64(d/time.Second), 10) + "s"
		if again, err := ParseAge(back); err != nil || again != d {
			t.Fatalf("ParseAge(%q) = %v; %q reads %v, %v", s, d, back, again, err)
		}
	})
}
