package ruletest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

func TestFromSegments(t *testing.T) {
	nan := math.NaN()
	specs := []SegmentSpec{
		{Dims: []DimValue{{Name: "country", Value: "BR"}}, Values: []float64{10, nan, 0.5, nan}, Weights: []float64{100, 100, 300, 5}},
		{Dims: []DimValue{{Name: "country", Value: "US"}}, Values: []float64{20, 4, 0.1, nan}},
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		ratio       bool
		values, wts []float64
	}{
		// a bucket without rows in any segment is missing
		{"plain metric sums", false, []float64{30, 4, 0.6, nan}, nil},
		// (10·100 + 20·1) / 101, 4·1 / 1, (0.5·300 + 0.1·1) / 301
		{"ratio weighs rates", true, []float64{1020.0 / 101, 4, 150.1 / 301, nan}, []float64{101, 1, 301, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fromSegments(specs, start, time.Hour, tt.ratio)
			if !closeTo(s.Values, tt.values) || !closeTo(s.Weight, tt.wts) {
				t.Errorf("fromSegments = values %v weights %v, want %v and %v", s.Values, s.Weight, tt.values, tt.wts)
			}
			if len(s.Segments) != 2 || s.Segments[1].Dims["country"] != "US" || s.Segments[1].weight(0) != 1 {
				t.Errorf("segments = %+v, want BR and US, US weighing 1", s.Segments)
			}
		})
	}
}

func closeTo(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return math.Abs(x-y) < 1e-12 || math.IsNaN(x) && math.IsNaN(y)
	})
}

func TestMemoryBreakdown(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	hour := func(i int) explain.Range {
		return explain.Range{From: start.Add(time.Duration(i) * time.Hour), To: start.Add(time.Duration(i+1) * time.Hour)}
	}
	nan := math.NaN()
	seg := func(country, platform string, vals, wts []float64) Segment {
		return Segment{Dims: map[string]string{"country": country, "platform": platform}, Values: vals, Weight: wts}
	}
	mem := Memory{
		"orders": {Start: start, Step: time.Hour, Segments: []Segment{
			seg("BR", "android", []float64{10, 20, 5}, nil),
			seg("BR", "ios", []float64{4, nan, 4}, nil),
			seg("US", "android", []float64{1, 1, 1}, nil),
		}},
		"conv": {Start: start, Step: time.Hour, Segments: []Segment{
			seg("BR", "android", []float64{0.1, 0.2, 0.05}, []float64{100, 100, 200}),
			seg("US", "ios", []float64{0.3, 0.3, 0.3}, []float64{10, 10, 10}),
		}},
		"flat": {Start: start, Step: time.Hour, Values: []float64{1, 2, 3}},
	}
	req := explain.Request{Groups: [][]string{{"country"}, {"platform", "country"}},
		Current: hour(2), Baseline: []explain.Range{hour(0), hour(1)}}
	tests := []struct {
		name, rule string
		ratio      bool
		req        explain.Request
		want       string
		wantErr    string
	}{
		{name: "plain metric: current, and the mean over the baseline", rule: "orders", req: req,
			want: "0 [BR] 9 17 | 0 [US] 1 1 | 1 [android BR] 5 15 | 1 [android US] 1 1 | 1 [ios BR] 4 2"},
		{name: "ratio: sums of numerator and denominator", rule: "conv", ratio: true, req: req,
			want: "0 [BR] 10/200 15/100 | 0 [US] 3/10 3/10 | 1 [android BR] 10/200 15/100 | 1 [ios US] 3/10 3/10"},
		{name: "a dimension the segments do not give", rule: "orders",
			req:     explain.Request{Groups: [][]string{{"channel"}}, Current: hour(2), Baseline: []explain.Range{hour(1)}},
			wantErr: `breakdown by "channel": the test's segments give only country, platform`},
		{name: "no segments", rule: "flat", req: req, wantErr: "without segments"},
		{name: "no series", rule: "revenue", req: req, wantErr: "no series"},
		{name: "bad request goes through sources.NewPlan", rule: "orders",
			req: explain.Request{Groups: [][]string{{"country"}}, Current: hour(2)}, wantErr: "no baseline buckets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := sources.Query{Rule: tt.rule, Table: "t", Timestamp: "ts", Value: "count()", Granularity: time.Hour, Location: time.UTC}
			if tt.ratio {
				q.Value, q.Numerator, q.Denominator = "", "n", "d"
			}
			cells, err := mem.Breakdown(context.Background(), q, tt.req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Breakdown error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cellsText(cells, tt.ratio); got != tt.want {
				t.Errorf("Breakdown =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// cellsText writes cells sorted, as "group [values] current baseline".
func cellsText(cells []explain.Cell, ratio bool) string {
	var out []string
	for _, c := range cells {
		if ratio {
			out = append(out, fmt.Sprintf("%d %v %g/%g %g/%g", c.Group, c.Values, c.CurrentNum, c.CurrentDen, c.BaselineNum, c.BaselineDen))
		} else {
			out = append(out, fmt.Sprintf("%d %v %g %g", c.Group, c.Values, c.Current, c.Baseline))
		}
	}
	slices.Sort(out)
	return strings.Join(out, " | ")
}
