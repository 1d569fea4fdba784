package config

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Day and Week are the calendar-free lengths vigil's durations use: a day is
// always 24 hours and a week 7 days.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// durationUnits lists the units ParseDuration accepts, largest first; a
// duration names each unit at most once, in this order.
var durationUnits = []struct {
	name string
	d    time.Duration
}{
	{"w", Week}, {"d", Day}, {"h", time.Hour}, {"m", time.Minute},
	{"s", time.Second}, {"ms", time.Millisecond},
}

const unitList = "w, d, h, m, s, ms"

// ParseDuration parses a duration such as "90s", "15m", "1h", "1d", "8w" or
// "1h30m": whole numbers, each followed by a unit (w, d, h, m, s, ms), units
// from largest to smallest, each at most once. "0" is zero. A day is 24
// hours and a week 7 days. Negative and fractional durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration; write e.g. 15m, 1h or 1d")
	}
	if s == "0" {
		return 0, nil
	}
	var total time.Duration
	next := 0 // index into durationUnits of the largest unit still allowed
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, badDuration(s, rest)
		}
		num, unit := rest[:i], rest[i:]
		j := 0
		for j < len(unit) && unit[j] >= 'a' && unit[j] <= 'z' {
			j++
		}
		unit, rest = unit[:j], unit[j:]
		if unit == "" {
			if rest == "" {
				return 0, fmt.Errorf("missing unit in %q; add one of %s (e.g. %sm)", s, unitList, num)
			}
			return 0, badDuration(s, rest)
		}
		k := unitIndex(unit)
		if k < 0 {
			return 0, fmt.Errorf("unknown unit %q in %q; valid units: %s", unit, s, unitList)
		}
		if k < next {
			return 0, fmt.Errorf("units out of order in %q; write the largest first, each once, e.g. 1d12h or 1h30m", s)
		}
		next = k + 1
		d, err := scale(num, durationUnits[k].d)
		if err != nil || total > math.MaxInt64-d {
			return 0, fmt.Errorf("duration %q is too large", s)
		}
		total += d
	}
	return total, nil
}

func badDuration(s, rest string) error {
	switch {
	case strings.HasPrefix(rest, "-"):
		return fmt.Errorf("duration %q must not be negative", s)
	case strings.HasPrefix(rest, "."):
		return fmt.Errorf("duration %q must use whole numbers; write e.g. 1h30m rather than 1.5h", s)
	}
	return fmt.Errorf("invalid duration %q; write whole numbers with units %s, e.g. 90s, 15m, 1h30m, 1d or 8w", s, unitList)
}

func unitIndex(unit string) int {
	for k, u := range durationUnits {
		if u.name == unit {
			return k
		}
	}
	return -1
}

// scale returns num·unit, failing on overflow.
func scale(num string, unit time.Duration) (time.Duration, error) {
	var n int64
	for _, c := range num {
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, errors.New("overflow")
		}
		n = n*10 + d
	}
	if n > math.MaxInt64/int64(unit) {
		return 0, errors.New("overflow")
	}
	return time.Duration(n) * unit, nil
}

// FormatDuration writes d the way ParseDuration reads it, with the largest
// units first: 8w, 1d, 1h30m, 1m30s. Zero is "0s". Sub-millisecond parts are
// dropped; a negative d is written with a leading minus.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		if d == math.MinInt64 {
			d++ // -MinInt64 overflows; a nanosecond less is the same to people
		}
		d = -d
	}
	for _, u := range durationUnits {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.d
		}
	}
	if b.Len() == 0 || b.String() == "-" {
		return b.String() + "0s"
	}
	return b.String()
}
