package detector

import (
	"math"
	"time"

	"vigil/internal/humanize"
)

// Mark turns p, a method's verdict on the bucket f judged late, into a
// late-data verdict: anomalous, with Direction None and f's Reason, so that
// late data is never reported as a drop. The method's expected value and
// band stay, as what the bucket should come to. Z grows with the missing
// share of the usual rows, so that Score is that share: 0.5 when half of
// what usually has arrived is missing. A bucket that is not late leaves p
// unchanged.
func (f Fullness) Mark(p Point) Point {
	if f.Readiness != Late {
		return p
	}
	short := 1.0
	if f.Usual > 0 {
		short = math.Min(math.Max(1-f.Share/f.Usual, 0), 1)
	}
	p.Z = -ThresholdMedium * short / (1 - short) // -Inf when nothing arrived
	if short == 0 {
		p.Z = 0
	}
	p.Score = Score(p.Z)
	p.Anomaly, p.Direction, p.Reason = true, None, f.Reason
	return p
}

// completeReason says why a bucket is not complete yet, or "" when it is:
// "data for 2024-03-05 14:00 UTC is late: at most about 40% of the
// expected rows have arrived after 3 hours (usually 98%)".
func completeReason(s Series, f Fullness, min float64) string {
	if f.Readiness == Complete {
		return ""
	}
	head := "data for " + completeBucket(s, f.Time) + " is still arriving: "
	if f.Readiness == Late {
		head = "data for " + completeBucket(s, f.Time) + " is late: "
	}
	if f.Age < 0 {
		return head + "the bucket has not ended yet"
	}
	after := freshnessWords(f.Age)
	usual := humanize.Percent(f.Usual)
	switch {
	case !f.Since.IsZero() && !f.Since.After(f.Time):
		return head + "no rows have arrived since " + completeClock(s, f.Since) + ", before the bucket began"
	case !f.Since.IsZero():
		return head + "no rows have arrived since " + completeClock(s, f.Since) + ", by when buckets usually hold " +
			humanize.Percent(f.Share) + " of their rows (" + usual + " after " + after + ")"
	case f.Pace == Empty:
		return head + "no rows have arrived after " + after + " (by then buckets usually hold " + usual + " of their rows)"
	case f.Pace == Stalled:
		return head + "at most about " + humanize.Percent(f.Share) + " of the expected rows have arrived after " + after +
			" (usually " + usual + ")"
	case f.Readiness == Late:
		return head + "after " + after + " buckets usually hold only " + usual + " of their rows, less than the " +
			humanize.Percent(min) + " required"
	}
	return head + "after " + after + " buckets usually hold " + usual + " of their rows (" + humanize.Percent(min) + " required)"
}

// completeBucket names the bucket starting at t: its date for calendar
// buckets, else its date and time with the zone.
func completeBucket(s Series, t time.Time) string {
	t = t.In(s.Location())
	if s.Calendar() {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04 MST")
}

// completeClock names a moment: date, time and zone.
func completeClock(s Series, t time.Time) string {
	return t.In(s.Location()).Format("2006-01-02 15:04 MST")
}
