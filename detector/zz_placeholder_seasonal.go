package detector

// This file stands in for the seasonal method, which is built on its own
// branch, so that code mapping settings to it compiles here. It mirrors the
// fields and names of that branch's Seasonal and is deleted when the
// branches are merged. Its Detect judges nothing.

import (
	"fmt"
	"math"
	"time"
)

// Seasonal judges each bucket against the same local time slot of the
// previous Seasons seasons of length Period.
type Seasonal struct {
	Period  time.Duration // season length: 24h (daily) or 168h (weekly)
	Seasons int           // past seasons the baseline is taken from, 3 to 64
	Guards

	// Level moves past slots onto the current level of the metric.
	Level LevelAdjust
	// Daily, with a weekly Period, corrects the weekly baseline by the last
	// Daily days (1 to 6); 0 is off.
	Daily int
}

// LevelAdjust says whether and how Seasonal moves past slots onto the
// metric's current level before taking their median.
type LevelAdjust uint8

// Level adjustments.
const (
	LevelNone  LevelAdjust = iota // compare with past slots as they were
	LevelShift                    // add the growth difference
	LevelScale                    // multiply by the growth ratio
)

// Detect returns every point of s.Values[from:] unjudged.
func (m Seasonal) Detect(s Series, from int) ([]Point, error) {
	if from < 0 || from > len(s.Values) {
		return nil, fmt.Errorf("seasonal: from %d outside the series of %d buckets", from, len(s.Values))
	}
	pts := make([]Point, len(s.Values)-from)
	for k := range pts {
		i := from + k
		pts[k] = Point{Index: i, Time: s.Time(i), Value: s.Values[i],
			Expected: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
	}
	return pts, nil
}
