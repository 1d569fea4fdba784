package explain

import (
	"math"
	"time"

	"vigil/detector"
)

const day = 24 * time.Hour

// Bucket returns the range of the bucket that starts at at and is step wide.
// A step of whole days is counted in calendar days in loc (nil is UTC), so a
// daily bucket spans 23 or 25 hours across a daylight-saving change.
func Bucket(at time.Time, step time.Duration, loc *time.Location) Range {
	return Range{From: at, To: shift(at, step, 1, loc)}
}

// Seasons returns the baseline buckets a seasonal detector compares with: the
// bucket at at, step wide, moved back by one to n seasons, oldest first. A
// season of whole days (7 days for weekly) is counted in calendar days in loc.
func Seasons(at time.Time, step, season time.Duration, n int, loc *time.Location) []Range {
	out := make([]Range, 0, max(n, 0))
	for k := n; k >= 1; k-- {
		from := shift(at, season, -k, loc)
		out = append(out, Bucket(from, step, loc))
	}
	return out
}

// shift moves t by k steps, in calendar days when step is whole days.
func shift(t time.Time, step time.Duration, k int, loc *time.Location) time.Time {
	if step >= day && step%day == 0 {
		if loc == nil {
			loc = time.UTC
		}
		return t.In(loc).AddDate(0, 0, k*int(step/day))
	}
	return t.Add(time.Duration(k) * step)
}

// ScaleOf returns the standard deviation behind a detector's verdict on p,
// for Input.Scale: the band is expected ± threshold·scale, so the scale is
// its half-width over the threshold. It returns 0 when the band or the
// threshold does not give one (a missing or infinite bound).
func ScaleOf(p detector.Point, threshold float64) float64 {
	s := (p.Upper - p.Lower) / (2 * threshold)
	if !finite(s) || s <= 0 || math.IsNaN(p.Expected) {
		return 0
	}
	return s
}
