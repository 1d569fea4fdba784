package detector

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"vigil/internal/humanize"
)

// FreshnessAt judges how old the newest row of a metric is at now: the
// engine queries the newest timestamp and asks whether it is older than
// maxAge. A zero newest means no row at all.
//
// The point's Value is the age in seconds (NaN without any row), Lower 0,
// and Expected and Upper the allowed age in seconds. Z is 4·age/maxAge, so
// an age of exactly maxAge scores 0.5; the point is anomalous, with
// Direction Up, when the age exceeds maxAge. A newest row after now (clock
// skew) counts as age 0. Time is now and Index 0.
func FreshnessAt(newest, now time.Time, maxAge time.Duration) (Point, error) {
	if maxAge <= 0 {
		return Point{}, fmt.Errorf("freshness: max age must be positive, got %v", maxAge)
	}
	limit := maxAge.Seconds()
	p := Point{Time: now, Expected: limit, Lower: 0, Upper: limit}
	if newest.IsZero() {
		p.Value, p.Z, p.Score = math.NaN(), math.Inf(1), 1
		p.Anomaly, p.Direction = true, Up
		p.Reason = "no data at all (allowed age " + freshnessWords(maxAge) + ")"
		return p, nil
	}
	age := max(now.Sub(newest), 0)
	p.Value = age.Seconds()
	p.Z = ThresholdMedium * p.Value / limit
	p.Score = Score(p.Z)
	if age > maxAge {
		p.Anomaly, p.Direction = true, Up
		p.Reason = "no new data for " + freshnessWords(age) + " (newest at " +
			newest.Format("2006-01-02 15:04 MST") + "; allowed " + freshnessWords(maxAge) + ")"
	}
	return p, nil
}

// freshnessReason says what is missing and for how long: "no data for the
// last 3 hours (expected about 4,400 per hour)".
func freshnessReason(r *freshnessRun, start, end int, typical float64) string {
	m := end - start + 1
	missing := r.missing(start, end)
	what := "no data or zero"
	switch missing {
	case m:
		what = "no data"
	case 0:
		what = "zero"
	}
	text := what + " for the last " + freshnessSpan(r.s, m)
	switch {
	case math.IsNaN(typical):
	case r.s.Weight != nil:
		text += " (usually about " + humanize.Number(typical) + ")"
	default:
		text += " (expected about " + humanize.Number(typical) + " per " + freshnessUnit(r.s.Step) + ")"
	}
	return text
}

// freshnessSpan words m buckets of s: "hour", "3 hours", "2 days".
func freshnessSpan(s Series, m int) string {
	n, unit := freshnessCount(time.Duration(m) * s.Step)
	if n == 1 {
		return unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}

// freshnessUnit words one step: "hour", "day", "15 minutes".
func freshnessUnit(step time.Duration) string {
	n, unit := freshnessCount(step)
	if n == 1 {
		return unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}

// freshnessWords words a duration with its largest whole unit, rounding
// down: "5 hours", "1 day", "90 seconds".
func freshnessWords(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}}
	for _, u := range units {
		if n := int64(d / u.d); n >= 2 || (n == 1 && d%u.d == 0) {
			return freshnessPlural(n, u.name)
		}
	}
	return freshnessPlural(int64(d/time.Second), "second")
}

func freshnessPlural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}

// freshnessCount expresses d as a whole number of its largest unit that
// divides it exactly.
func freshnessCount(d time.Duration) (int64, string) {
	units := []struct {
		d    time.Duration
		name string
	}{{7 * 24 * time.Hour, "week"}, {24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}}
	for _, u := range units {
		if d >= u.d && d%u.d == 0 {
			return int64(d / u.d), u.name
		}
	}
	return int64(d), "nanosecond"
}
