package ruletest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"vigil/internal/backtest"
)

// series turns a spec into a Series on the grid from start, step apart.
// ratio says how segments add up: a plain metric's values are summed, a
// ratio's rates are weighted by their denominators.
func (s SeriesSpec) series(dir string, start time.Time, step time.Duration, loc *time.Location, ratio bool) (Series, error) {
	given := 0
	for _, set := range []bool{s.Values != "", s.Points != nil, s.CSV != "", s.Segments != nil} {
		if set {
			given++
		}
	}
	if given != 1 {
		return Series{}, fmt.Errorf("give exactly one of values, points, csv and segments")
	}
	if loc == nil {
		loc = time.UTC
	}
	out := Series{Start: start, Step: step}
	var err error
	switch {
	case s.Segments != nil:
		return fromSegments(s.Segments, start, step, ratio), nil
	case s.Values != "":
		out.Values, err = ParseValues(s.Values)
	case s.Points != nil:
		out, err = fromPoints(s.Points, step, loc)
	default:
		out, err = fromCSV(filepath.Join(dir, s.CSV), step, loc)
	}
	if err != nil {
		return Series{}, err
	}
	if s.Weights != "" {
		if out.Weight, err = ParseValues(s.Weights); err != nil {
			return Series{}, fmt.Errorf("weights: %w", err)
		}
		if len(out.Weight) != len(out.Values) {
			return Series{}, fmt.Errorf("%d weights for %d values", len(out.Weight), len(out.Values))
		}
	}
	return out, nil
}

// fromSegments adds segments up into their metric's series: in each
// bucket, the sum of the segments with rows there, or for a ratio the sum
// of their numerators (rate × weight) over the sum of their weights. A
// bucket where no segment has rows is missing. Parse has checked that the
// segments are as long as each other.
func fromSegments(specs []SegmentSpec, start time.Time, step time.Duration, ratio bool) Series {
	n := len(specs[0].Values)
	out := Series{Start: start, Step: step, Values: make([]float64, n)}
	if ratio {
		out.Weight = make([]float64, n)
	}
	for _, sp := range specs {
		out.Segments = append(out.Segments, Segment{Dims: dims(sp.Dims), Values: sp.Values, Weight: sp.Weights})
	}
	for i := range n {
		var sum, num, den float64
		found := false
		for _, seg := range out.Segments {
			v := seg.Values[i]
			if math.IsNaN(v) {
				continue
			}
			found = true
			sum += v
			num += v * seg.weight(i)
			den += seg.weight(i)
		}
		switch {
		case !found:
			out.Values[i] = math.NaN()
		case ratio:
			out.Values[i], out.Weight[i] = rate(num, den), den
		default:
			out.Values[i] = sum
		}
	}
	return out
}

// rate is num/den, NaN when den is 0, as sources.RatioRow gives it.
func rate(num, den float64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

func fromCSV(path string, step time.Duration, loc *time.Location) (Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return Series{}, err
	}
	defer f.Close()
	in, err := backtest.Options{Granularity: step, Location: loc}.ReadCSV(f)
	if err != nil {
		return Series{}, fmt.Errorf("%s: %w", path, err)
	}
	return Series{Start: in.Series.Start, Step: step, Values: in.Series.Values}, nil
}
