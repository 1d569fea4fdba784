package ruletest

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"vigil/detector"
	"vigil/detector/explain"
	"vigil/sources"
)

var _ sources.Breakdowner = Memory(nil)

// Breakdown implements sources.Breakdowner over the segments of a series,
// as a warehouse groups its rows: one row per segment and period, added up
// into cells by the same sources.Plan the SQL sources use. A dimension
// the segments do not give is an error.
func (m Memory) Breakdown(ctx context.Context, q sources.Query, req explain.Request) ([]explain.Cell, error) {
	if err := sources.ContextErr(ctx); err != nil {
		return nil, err
	}
	s, ok := m[q.Rule]
	switch {
	case !ok:
		return nil, fmt.Errorf("rule %q: the test gives no series for it", q.Rule)
	case len(s.Segments) == 0:
		return nil, fmt.Errorf("rule %q: the test gives its series without segments, so it cannot be broken down", q.Rule)
	case s.Step != q.Granularity:
		return nil, fmt.Errorf("rule %q: the test's granularity is %v, the rule's %v", q.Rule, s.Step, q.Granularity)
	}
	p, err := sources.NewPlan(q, req)
	if err != nil {
		return nil, err
	}
	for _, d := range p.Dims {
		if _, ok := s.Segments[0].Dims[d]; !ok {
			return nil, fmt.Errorf("rule %q: breakdown by %q: the test's segments give only %s", q.Rule, d, strings.Join(segmentDims(s), ", "))
		}
	}
	grid := detector.Series{Start: s.Start, Step: s.Step, Loc: q.Loc()}
	var rows []sources.BreakdownRow
	for set := range p.Sets {
		for _, seg := range s.Segments {
			vals := make([]string, len(p.Dims))
			for i, d := range p.Dims {
				vals[i] = seg.Dims[d]
			}
			for period, r := range p.Ranges {
				if row, ok := segmentRow(grid, seg, r, p.Ratio()); ok {
					row.Set, row.Period, row.Values = set, period, vals
					rows = append(rows, row)
				}
			}
		}
	}
	return p.Cells(rows)
}

// segmentRow sums the segment over the buckets of the grid in r; a segment
// without rows there gives none.
func segmentRow(grid detector.Series, seg Segment, r explain.Range, ratio bool) (sources.BreakdownRow, bool) {
	n := len(seg.Values)
	lo := sort.Search(n, func(i int) bool { return !grid.Time(i).Before(r.From) })
	hi := sort.Search(n, func(i int) bool { return !grid.Time(i).Before(r.To) })
	var row sources.BreakdownRow
	found := false
	for i := lo; i < hi; i++ {
		v := seg.Values[i]
		if math.IsNaN(v) {
			continue
		}
		found = true
		if ratio {
			w := seg.weight(i)
			row.Num += v * w
			row.Den += w
		} else {
			row.Value += v
		}
	}
	return row, found
}

// segmentDims lists the dimensions the segments of s give, by name.
func segmentDims(s Series) []string {
	out := make([]string, 0, len(s.Segments[0].Dims))
	for d := range s.Segments[0].Dims {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
