package ruletest

import (
	"context"
	"fmt"
	"math"
	"time"

	"vigil/detector"
	"vigil/sources"
)

// Memory is a sources.Source serving fixed series by rule name, as a
// warehouse would: each query gets the buckets of its range, with the
// buckets it does not hold absent (NaN, or 0 for a rule with fill: zero).
type Memory map[string]Series

// Series is one metric's test data: values on a regular grid from Start,
// Step apart. Weight, when set, is a ratio metric's denominator per bucket.
// Segments, when set, are the parts Values and Weight add up from, which
// Breakdown serves.
type Series struct {
	Start    time.Time
	Step     time.Duration
	Values   []float64 // NaN: no rows for the bucket
	Weight   []float64
	Segments []Segment
}

// Segment is the part of a series with one value of each of some
// dimensions, on the series' grid.
type Segment struct {
	Dims   map[string]string // dimension → value
	Values []float64         // NaN: no rows of the segment in the bucket; a ratio's rate
	Weight []float64         // a ratio's denominator; nil is 1 per bucket
}

// weight returns the segment's weight in bucket i.
func (s Segment) weight(i int) float64 {
	if s.Weight == nil {
		return 1
	}
	return s.Weight[i]
}

// Query implements sources.Source.
func (m Memory) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	if err := sources.ContextErr(ctx); err != nil {
		return detector.Series{}, err
	}
	s, ok := m[q.Rule]
	if !ok {
		return detector.Series{}, fmt.Errorf("rule %q: the test gives no series for it", q.Rule)
	}
	if s.Step != q.Granularity {
		return detector.Series{}, fmt.Errorf("rule %q: the test's granularity is %v, the rule's %v", q.Rule, s.Step, q.Granularity)
	}
	grid := detector.Series{Start: s.Start, Step: s.Step, Loc: q.Loc()}
	var rows []sources.Row
	for i, v := range s.Values {
		t := grid.Time(i)
		if math.IsNaN(v) || t.Before(q.From) || !t.Before(q.To) {
			continue
		}
		w := 1.0
		if s.Weight != nil {
			w = s.Weight[i]
		}
		rows = append(rows, sources.Row{Bucket: t, Value: v, Weight: w})
	}
	return sources.Fill(q, rows)
}
