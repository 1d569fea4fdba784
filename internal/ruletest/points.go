package ruletest

import (
	"fmt"
	"math"
	"time"

	"vigil/detector"
	"vigil/internal/backtest"
	"vigil/sources"
)

// fromPoints places explicit points on a grid from the first of them;
// the buckets between points are missing.
func fromPoints(pts []PointSpec, step time.Duration, loc *time.Location) (Series, error) {
	if len(pts) == 0 {
		return Series{}, fmt.Errorf("points: empty")
	}
	times := make([]time.Time, len(pts))
	for i, p := range pts {
		t, err := backtest.ParseTime(p.Time)
		if err != nil {
			return Series{}, fmt.Errorf("points[%d]: %w", i, err)
		}
		if !sources.Floor(t, step, loc).Equal(t) {
			return Series{}, fmt.Errorf("points[%d]: %s is not the start of a %v bucket", i, p.Time, step)
		}
		if i > 0 && !t.After(times[i-1]) {
			return Series{}, fmt.Errorf("points[%d]: %s is not after the point before it", i, p.Time)
		}
		times[i] = t
	}
	s := detector.Series{Start: times[0], Step: step, Loc: loc}
	out := Series{Start: times[0], Step: step}
	for i, t := range times {
		for s.Time(len(out.Values)).Before(t) {
			out.Values = append(out.Values, math.NaN())
		}
		v := math.NaN()
		if pts[i].Value != nil {
			v = *pts[i].Value
		}
		out.Values = append(out.Values, v)
	}
	return out, nil
}
