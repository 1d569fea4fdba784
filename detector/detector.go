// Package detector holds vigil's statistical methods. Every method is a pure
// function from a regular time series (gaps as NaN) to a verdict per judged
// point: expected value, band, score, and whether the point is anomalous.
// Nothing here does I/O, reads a clock or logs.
package detector

import (
	"errors"
	"math"
	"time"
)

// ErrNotEnoughData reports that a series is too short for a method to judge
// the requested points. Callers branch on it with errors.Is.
var ErrNotEnoughData = errors.New("not enough data")

// Series is a regular time series. Bucket i starts at Time(i). Missing
// buckets hold NaN; they are never zero unless the data said zero.
//
// Sub-day steps are fixed durations from Start. A step that is a whole number
// of days is a calendar step in Loc, so a daily series in a zone with daylight
// saving keeps its buckets at local midnight (some are 23 or 25 hours long).
type Series struct {
	Start  time.Time
	Step   time.Duration
	Loc    *time.Location // zone of seasonal slots and calendar steps; nil means UTC
	Values []float64
	// Weight is the optional volume behind each value: the denominator of a
	// ratio metric, or nil when the value is its own volume.
	Weight []float64
}

// Len returns the number of buckets.
func (s Series) Len() int { return len(s.Values) }

// Location returns the series' zone, UTC when none was set.
func (s Series) Location() *time.Location {
	if s.Loc == nil {
		return time.UTC
	}
	return s.Loc
}

// Calendar reports whether the step is a whole number of days, taken as
// calendar days in the series' zone.
func (s Series) Calendar() bool {
	const day = 24 * time.Hour
	return s.Step >= day && s.Step%day == 0
}

// Time returns the start of bucket i.
func (s Series) Time(i int) time.Time {
	if s.Calendar() {
		days := int(s.Step / (24 * time.Hour))
		return s.Start.In(s.Location()).AddDate(0, 0, i*days)
	}
	return s.Start.Add(time.Duration(i) * s.Step)
}

// Index returns the bucket that contains t and whether it lies inside the
// series.
func (s Series) Index(t time.Time) (int, bool) {
	if s.Step <= 0 {
		return 0, false
	}
	var i int
	if s.Calendar() {
		loc := s.Location()
		a, b := s.Start.In(loc), t.In(loc)
		da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
		db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
		days := int(db.Sub(da).Hours() / 24)
		if t.Before(s.Time(0)) && days == 0 {
			days = -1
		}
		i = floorDiv(days, int(s.Step/(24*time.Hour)))
	} else {
		d := t.Sub(s.Start)
		i = int(d / s.Step)
		if d < 0 && d%s.Step != 0 {
			i--
		}
	}
	return i, i >= 0 && i < len(s.Values)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Direction is the way a point left its band, or the way a rule cares about.
type Direction int8

// Directions. Both is used by rules; a point is Up, Down or None.
const (
	None Direction = iota
	Up
	Down
	Both
)

// String returns "up", "down", "both" or "none".
func (d Direction) String() string {
	switch d {
	case Up:
		return "up"
	case Down:
		return "down"
	case Both:
		return "both"
	}
	return "none"
}

// ParseDirection reads "up", "down" or "both" ("" means both).
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "up":
		return Up, nil
	case "down":
		return Down, nil
	case "both", "":
		return Both, nil
	}
	return None, errors.New(`direction must be "up", "down" or "both"`)
}

// Allows reports whether a rule with direction d cares about a move in m.
func (d Direction) Allows(m Direction) bool {
	return d == Both || d == m
}

// Point is the verdict on one bucket.
type Point struct {
	Index    int       // position in the judged series
	Time     time.Time // bucket start
	Value    float64   // actual; NaN when the bucket is missing
	Expected float64   // the method's expected value; NaN when it could not judge
	Lower    float64   // lower bound of the normal band
	Upper    float64   // upper bound of the normal band
	// Score is how unusual the point is, from 0 (as expected) to 1. It grows
	// with the robust z-score and does not depend on the rule's sensitivity.
	Score     float64
	Z         float64 // signed robust z-score; positive above expected
	Anomaly   bool
	Direction Direction // which side of the band the value is on, None inside it
	Reason    string    // one line in plain words, set on anomalies
}

// Judged reports whether the method produced an estimate for the point.
func (p Point) Judged() bool { return !math.IsNaN(p.Expected) }

// Detector judges the points of a series from index from to its end. Each
// point is judged only from the points before it, as it would have been live.
// A Detector is safe for concurrent use.
type Detector interface {
	Detect(s Series, from int) ([]Point, error)
}

// DetectorFunc adapts a function to the Detector interface.
type DetectorFunc func(s Series, from int) ([]Point, error)

// Detect calls f.
func (f DetectorFunc) Detect(s Series, from int) ([]Point, error) { return f(s, from) }
