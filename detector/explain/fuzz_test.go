package explain_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"vigil/detector/explain"
)

// oddFetcher answers every group with cells read from fuzz bytes: odd
// values (empty, Other) and odd numbers (zero, negative, NaN, infinite,
// huge, tiny).
type oddFetcher []byte

var oddNumbers = []float64{0, 1, -1, 7, 1e300, -1e300, 5e-324, math.NaN(), math.Inf(1), math.Inf(-1), 0.5, 1000}

func (d oddFetcher) Breakdown(_ context.Context, req explain.Request) ([]explain.Cell, error) {
	values := []string{"a", "b", "c", "", explain.Other}
	next := func(i int) byte {
		if len(d) == 0 {
			return 0
		}
		return d[i%len(d)]
	}
	num := func(i int) float64 {
		b := next(i)
		if b < 128 {
			return oddNumbers[int(b)%len(oddNumbers)]
		}
		return float64(b) - 160
	}
	var cells []explain.Cell
	pos := 0
	for g, dims := range req.Groups {
		n := int(next(pos)) % 9
		pos++
		for range n {
			c := explain.Cell{Group: g}
			for range dims {
				c.Values = append(c.Values, values[int(next(pos))%len(values)])
				pos++
			}
			c.Current, c.Baseline = num(pos), num(pos+1)
			c.CurrentNum, c.CurrentDen, c.BaselineNum, c.BaselineDen = num(pos+2), num(pos+3), num(pos+4), num(pos+5)
			pos += 6
			cells = append(cells, c)
		}
	}
	return cells, nil
}

func FuzzExplain(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10.0, 20.0, 1.0, false)
	f.Add([]byte{5, 200, 150, 7, 0, 0, 0, 1, 2}, 0.05, 0.06, 0.0, true)
	f.Add([]byte{}, 0.0, 0.0, 0.0, false)
	f.Add([]byte{8, 4, 4, 4, 9, 9, 9, 9, 9, 9, 3, 3}, -5.0, 5.0, 2.0, true)
	f.Fuzz(func(t *testing.T, data []byte, actual, expected, scale float64, ratio bool) {
		at := time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)
		in := explain.Input{
			Metric: "orders", At: at, Step: time.Hour, Actual: actual, Expected: expected, Scale: scale,
			Dimensions: []string{"x", "y", "z"}, Ratio: ratio, Baseline: []explain.Range{explain.Bucket(at.Add(-time.Hour), time.Hour, nil)},
		}
		e, err := explain.Explain(context.Background(), oddFetcher(data), in, explain.Options{})
		if err != nil {
			return
		}
		if _, err := json.Marshal(e); err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		if e.Sentence == "" || e.Table(0) == "" {
			t.Fatalf("empty sentence %q or table", e.Sentence)
		}
		if e.ExplainedBy > len(e.Contributors) {
			t.Fatalf("ExplainedBy %d > %d contributors", e.ExplainedBy, len(e.Contributors))
		}
	})
}
