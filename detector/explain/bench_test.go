package explain_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"vigil/detector/explain"
)

// wideCube is a cube too large to hold leaf by leaf (50·10·20·5·200 = 10M
// leaves): volumes are a product of per-dimension shares, and one
// combination of values falls, so every breakdown is computed in closed
// form, with Keep pushed down as a source would.
type wideCube struct {
	dims    []string
	values  [][]string
	weights [][]float64
	total   float64
	anomaly map[int]int // dimension → value index of the falling combination
	factor  float64

	mu    sync.Mutex
	cache map[string][]explain.Cell
	cells int // cells returned in all
}

func newWideCube(cards []int, anomaly map[int]int, factor float64) *wideCube {
	c := &wideCube{total: 1e6, anomaly: anomaly, factor: factor, cache: map[string][]explain.Cell{}}
	for i, n := range cards {
		c.dims = append(c.dims, fmt.Sprintf("dim%d", i))
		var vs []string
		var ws []float64
		var sum float64
		for j := range n {
			vs = append(vs, fmt.Sprintf("v%d", j))
			ws = append(ws, 1/math.Sqrt(float64(j+1)))
			sum += ws[j]
		}
		for j := range ws {
			ws[j] /= sum
		}
		c.values, c.weights = append(c.values, vs), append(c.weights, ws)
	}
	return c
}

// part is one value of a dimension in a breakdown, or Other: the set of
// value indices it covers.
type part struct {
	name string
	idx  []int
}

func (c *wideCube) parts(d int, keep []string, ok bool) []part {
	if !ok {
		out := make([]part, len(c.values[d]))
		for j, v := range c.values[d] {
			out[j] = part{v, []int{j}}
		}
		return out
	}
	var out []part
	other := part{name: explain.Other}
	for j, v := range c.values[d] {
		if slices.Contains(keep, v) {
			out = append(out, part{v, []int{j}})
		} else {
			other.idx = append(other.idx, j)
		}
	}
	if len(other.idx) > 0 {
		out = append(out, other)
	}
	return out
}

func (c *wideCube) Breakdown(_ context.Context, req explain.Request) ([]explain.Cell, error) {
	key := fmt.Sprint(req.Groups, req.Keep)
	c.mu.Lock()
	defer c.mu.Unlock()
	if cells, ok := c.cache[key]; ok {
		c.cells += len(cells)
		return cells, nil
	}
	var cells []explain.Cell
	for g, dims := range req.Groups {
		var pos []int
		var parts [][]part
		for _, d := range dims {
			i := slices.Index(c.dims, d)
			keep, ok := req.Keep[d]
			pos, parts = append(pos, i), append(parts, c.parts(i, keep, ok))
		}
		for _, combo := range product(partNames(parts)) {
			cells = append(cells, c.cell(g, pos, parts, combo))
		}
	}
	c.cache[key] = cells
	c.cells += len(cells)
	return cells, nil
}

func partNames(parts [][]part) [][]string {
	out := make([][]string, len(parts))
	for i, ps := range parts {
		for _, p := range ps {
			out[i] = append(out[i], p.name)
		}
	}
	return out
}

// cell computes one cell: its volume, and the fall of the anomalous
// combination's rows inside it.
func (c *wideCube) cell(g int, pos []int, parts [][]part, combo []int) explain.Cell {
	base, hit := c.total, c.total*(1-c.factor)
	inGroup := map[int]bool{}
	var values []string
	for k, d := range pos {
		p := parts[k][combo[k]]
		values = append(values, p.name)
		inGroup[d] = true
		var w, wa float64
		for _, j := range p.idx {
			w += c.weights[d][j]
			if a, ok := c.anomaly[d]; !ok || a == j {
				wa += c.weights[d][j]
			}
		}
		base, hit = base*w, hit*wa
	}
	for d, a := range c.anomaly {
		if !inGroup[d] {
			hit *= c.weights[d][a]
		}
	}
	return explain.Cell{Group: g, Values: values, Current: base - hit, Baseline: base}
}

// BenchmarkExplain measures the pure part of Explain on a five-dimension
// cube (cardinalities 50, 10, 20, 5, 200) where one pair of values falls:
// folding, measuring, ranking and drilling down, with the breakdowns
// already computed.
func BenchmarkExplain(b *testing.B) {
	c := newWideCube([]int{50, 10, 20, 5, 200}, map[int]int{0: 3, 4: 17}, 0.1)
	var actual, expected float64
	for _, cell := range mustBreakdown(b, c, explain.Request{Groups: [][]string{{"dim0"}}}) {
		actual, expected = actual+cell.Current, expected+cell.Baseline
	}
	// The total fell ten standard deviations, as a detector would flag it.
	in := explain.Input{Metric: "orders", At: at, Step: time.Hour, Actual: actual, Expected: expected,
		Scale: math.Abs(actual-expected) / 10, Dimensions: c.dims, Baseline: explain.Seasons(at, time.Hour, 7*24*time.Hour, 8, nil)}
	e, err := explain.Explain(context.Background(), c, in, explain.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if got := e.Contributors[0].Segment; got["dim0"] != "v3" || got["dim4"] != "v17" {
		b.Fatalf("Contributors[0] = %v, want dim0=v3 & dim4=v17", got)
	}
	c.cells = 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := explain.Explain(context.Background(), c, in, explain.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.cells)/float64(b.N), "cells/op")
	b.ReportMetric(float64(e.Queries), "queries/op")
}

func mustBreakdown(b *testing.B, f explain.Fetcher, req explain.Request) []explain.Cell {
	cells, err := f.Breakdown(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	return cells
}
