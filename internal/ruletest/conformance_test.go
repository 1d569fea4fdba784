package ruletest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
	"vigil/sources/sourcestest"
)

// memoryOf lays a cube's rows out as a test's segments would give them:
// one segment per leaf, hourly from the hour of its first row, a bucket
// holding the sum of the leaf's rows in it (a ratio: orders over sessions,
// weighted by sessions) and _ where the leaf has none.
func memoryOf(t *testing.T, c *sourcestest.Cube) Memory {
	t.Helper()
	start, end := c.Rows[0].TS, c.Rows[0].TS
	for _, r := range c.Rows {
		start, end = minTime(start, r.TS), maxTime(end, r.TS)
	}
	start = start.Truncate(time.Hour)
	n := int(end.Sub(start)/time.Hour) + 1
	type sums struct{ amount, orders, sessions []float64 }
	leaves := map[string]*sums{}
	var order []string
	dimsOf := map[string]map[string]string{}
	for _, r := range c.Rows {
		key := strings.Join(r.Values, "\x00")
		s, ok := leaves[key]
		if !ok {
			s = &sums{amount: nans(n), orders: make([]float64, n), sessions: make([]float64, n)}
			leaves[key], order = s, append(order, key)
			dimsOf[key] = map[string]string{}
			for i, d := range c.Dims {
				dimsOf[key][d] = strings.ReplaceAll(r.Values[i], sourcestest.Null, "")
			}
		}
		i := int(r.TS.Sub(start) / time.Hour)
		s.amount[i] = zeroIfNaN(s.amount[i]) + r.Amount
		s.orders[i] += r.Orders
		s.sessions[i] += r.Sessions
	}
	series := Series{Start: start, Step: time.Hour}
	for _, key := range order {
		s := leaves[key]
		seg := Segment{Dims: dimsOf[key], Values: s.amount}
		if c.Ratio {
			seg.Values, seg.Weight = make([]float64, n), s.sessions
			for i := range n {
				seg.Values[i] = s.orders[i] / s.sessions[i] // NaN where the leaf has no rows
				if math.IsNaN(s.amount[i]) {
					seg.Values[i] = math.NaN()
				}
			}
		}
		series.Segments = append(series.Segments, seg)
	}
	return Memory{c.Name: series}
}

// TestMemoryBreakdownCases checks Memory against the reference cells every
// source is checked against (sources/sourcestest), values that SQL must
// escape, NULL, Keep and TopK included.
func TestMemoryBreakdownCases(t *testing.T) {
	for _, ratio := range []bool{false, true} {
		c := sourcestest.TrickyCube(ratio)
		mem := memoryOf(t, c)
		for _, bc := range sourcestest.BreakdownCases(c) {
			t.Run(c.Name+"/"+bc.Name, func(t *testing.T) {
				want, err := c.WantCells(bc.Request)
				if err != nil || len(want) == 0 {
					t.Fatalf("reference: %d cells, %v", len(want), err)
				}
				got, err := mem.Breakdown(context.Background(), c.Query("t"), bc.Request)
				if err != nil {
					t.Fatalf("Breakdown: %v", err)
				}
				if d := sourcestest.DiffCells(got, want); d != "" {
					t.Errorf("Breakdown(%s) differs from the reference:\n%s", bc.Name, d)
				}
			})
		}
	}
}

// TestMemoryExplainCubes explains each scenario of the sources' suite
// through Memory, as the SQL sources' tests do.
func TestMemoryExplainCubes(t *testing.T) {
	for _, c := range sourcestest.ExplainCubes() {
		t.Run(c.Name, func(t *testing.T) {
			e, err := explain.Explain(context.Background(), sources.Fetcher(memoryOf(t, c), c.Query("t")), c.Input(), c.Opts)
			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			c.Check(t, e)
		})
	}
}

func nans(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

func zeroIfNaN(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
