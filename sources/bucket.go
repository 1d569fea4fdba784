package sources

import (
	"time"
)

const day = 24 * time.Hour

// EpochMonday is the day number (days since 1970-01-01) of Monday
// 1970-01-05. Calendar buckets of several days count from it, so 7-day
// buckets are weeks that start on Monday. Dialects use it in their SQL.
const EpochMonday = 4

// Days returns the number of days in a calendar granularity (a positive whole
// number of days), or 0 when gran is a sub-day or fractional-day step.
func Days(gran time.Duration) int64 {
	if gran >= day && gran%day == 0 {
		return int64(gran / day)
	}
	return 0
}

// Floor returns the start of the bucket of width gran that contains t.
//
// Sub-day buckets (and any width that is not a whole number of days) are
// aligned to the Unix epoch in UTC. Whole-day buckets start at local midnight
// in loc: one day is the calendar day, and n days count from Monday
// 1970-01-05 (EpochMonday), so weekly buckets start on Monday. A nil loc
// means UTC. The result is in loc; a non-positive gran returns t unchanged.
func Floor(t time.Time, gran time.Duration, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	if gran <= 0 {
		return t
	}
	if n := Days(gran); n > 0 {
		return DayStart(floorDiv(DayNumber(t, loc)-EpochMonday, n)*n+EpochMonday, loc)
	}
	if gran%time.Second == 0 {
		g := int64(gran / time.Second)
		return time.Unix(floorDiv(t.Unix(), g)*g, 0).In(loc)
	}
	g := int64(gran)
	return time.Unix(0, floorDiv(t.UnixNano(), g)*g).In(loc)
}

// DayNumber returns the local calendar date of t in loc as days since
// 1970-01-01.
func DayNumber(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

// DayStart returns local midnight in loc of the date that is n days after
// 1970-01-01. Where a zone skips midnight (clocks jump from 23:59:59 to
// 01:00), it is the first instant of the day.
func DayStart(n int64, loc *time.Location) time.Time {
	d := time.Unix(n*86400, 0).UTC()
	t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	if y, m, dd := t.Date(); y != d.Year() || m != d.Month() || dd != d.Day() {
		// time.Date resolved the missing midnight to the previous day: the
		// day begins where that zone period ends.
		_, end := t.ZoneBounds()
		return end.In(loc)
	}
	return t
}

// floorDiv divides rounding toward minus infinity; b must be positive.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// bucketIndex returns the bucket of t counted from the aligned start from.
// It does not check that t is aligned.
func bucketIndex(from, t time.Time, gran time.Duration, loc *time.Location) int64 {
	if n := Days(gran); n > 0 {
		return floorDiv(DayNumber(t, loc)-DayNumber(from, loc), n)
	}
	d := t.Sub(from)
	i := int64(d / gran)
	if d < 0 && d%gran != 0 {
		i--
	}
	return i
}
