package ruletest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"vigil/sources"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"unknown key", "tests: [{name: a, serie: {}}]", "field serie not found"},
		{"no tests", "config: x.yaml", "no tests"},
		{"nameless", "tests: [{series: {a: {values: '1'}}, evals: [{at: x}]}]", "name is required"},
		{"no evals", "tests: [{name: a, series: {a: {values: '1'}}}]", "needs series and evals"},
		{"bad range", "tests: [{name: a, series: {a: {values: '1'}}, evals: [{at: x, alerts: [{metric: a, expected: [1]}]}]}]", "[low, high]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in), "t_test.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestFromPoints(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	s, err := fromPoints([]PointSpec{
		{Time: "2024-01-01T00:00:00Z", Value: v(1)},
		{Time: "2024-01-01T03:00:00Z", Value: v(4)},
		{Time: "2024-01-01T04:00:00Z"},
	}, time.Hour, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Values) != 5 || s.Values[0] != 1 || !math.IsNaN(s.Values[1]) || s.Values[3] != 4 || !math.IsNaN(s.Values[4]) {
		t.Errorf("values = %v, want [1 NaN NaN 4 NaN]", s.Values)
	}
	if _, err := fromPoints([]PointSpec{{Time: "2024-01-01T00:30:00Z", Value: v(1)}}, time.Hour, time.UTC); err == nil {
		t.Error("a point off the bucket grid was accepted")
	}
}

func TestMemoryQuery(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	m := Memory{"orders": {Start: start, Step: time.Hour, Values: []float64{1, 2, math.NaN(), 4, 5}}}
	q := sources.Query{Rule: "orders", Table: "t", Timestamp: "ts", Value: "count()", Granularity: time.Hour,
		Location: time.UTC, From: start.Add(time.Hour), To: start.Add(6 * time.Hour)}
	s, err := m.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{2, math.NaN(), 4, 5, math.NaN()}
	if len(s.Values) != len(want) || !s.Start.Equal(q.From) {
		t.Fatalf("series from %v of %v, want from %v of %v", s.Start, s.Values, q.From, want)
	}
	for i := range want {
		if s.Values[i] != want[i] && !(math.IsNaN(s.Values[i]) && math.IsNaN(want[i])) {
			t.Errorf("values = %v, want %v", s.Values, want)
			break
		}
	}
	q.Rule = "revenue"
	if _, err := m.Query(context.Background(), q); err == nil || !strings.Contains(err.Error(), "no series") {
		t.Errorf("query of an unknown rule: %v", err)
	}
	q.Rule, q.Granularity = "orders", 24*time.Hour
	if _, err := m.Query(context.Background(), q); err == nil || !strings.Contains(err.Error(), "granularity") {
		t.Errorf("query at another granularity: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("tests: [{name: a, start: 2024-01-01, series: {x: {values: '1 2 _'}}, evals: [{at: 2024-01-02, alerts: [{metric: x, expected: [1, 2]}]}]}]")
	f.Add("config: ../vigil.yaml\ntests: []\n")
	f.Add("tests:\n  - name: p\n    series: {x: {points: [{time: 2024-01-01T00:00:00Z, value: null}]}}\n    evals: [{at: x}]\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(strings.NewReader(src), "f_test.yaml")
		if err != nil {
			return
		}
		if len(file.Tests) == 0 {
			t.Fatal("Parse accepted a file without tests")
		}
		for _, c := range file.Tests {
			for _, e := range c.Evals {
				for _, a := range e.Alerts {
					if a.Metric == "" || (a.Expected != nil && len(a.Expected) != 2) {
						t.Fatalf("Parse accepted a bad alert %+v", a)
					}
				}
			}
		}
	})
}
