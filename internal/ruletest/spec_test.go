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
		{"share reversed", "tests: [{name: a, series: {a: {values: '1'}}, evals: [{at: x, alerts: [{metric: a, contributor: {c: BR}, share: [1, 0.5]}]}]}]", "[low, high]"},
		{"share alone", "tests: [{name: a, series: {a: {values: '1'}}, evals: [{at: x, alerts: [{metric: a, share: [0.5, 1]}]}]}]", "give the contributor too"},
		{"contributor not a mapping", "tests: [{name: a, series: {a: {values: '1'}}, evals: [{at: x, alerts: [{metric: a, contributor: BR}]}]}]",
			"t_test.yaml:1:97: contributor: want the values"},
		{"contributor value a list", "tests: [{name: a, series: {a: {values: '1'}}, evals: [{at: x, alerts: [{metric: a, contributor: {c: [BR]}}]}]}]",
			`t_test.yaml:1:101: contributor: dimension "c": want one value`},
		{"segment not a mapping", segs("- BR"), "t_test.yaml:6:13: segments: each entry is a mapping"},
		{"segment without values", segs("- {country: BR}"), "t_test.yaml:6:13: segments: a segment without values"},
		{"segment without dimensions", segs("- {values: '1'}"), "t_test.yaml:6:13: segments: a segment without dimensions"},
		{"segment bad notation", segs("- {country: BR, values: '1 two'}"), `t_test.yaml:6:35: segments: values "two": want a finite number`},
		{"segment values not a string", segs("- {country: BR, values: [1, 2]}"), "t_test.yaml:6:35: segments: values: want a string"},
		{"segment empty values", segs("- {country: BR, values: ''}"), "t_test.yaml:6:35: segments: values: no values"},
		{"segment weights miscounted", segs("- {country: BR, values: '1 2', weights: '1'}"), "t_test.yaml:6:13: segments: 1 weights for 2 values"},
		{"segment points", segs("- {country: BR, points: []}"), "t_test.yaml:6:27: segments: points is not supported"},
		{"segment key twice", segs("- {country: BR, country: US, values: '1'}"), `t_test.yaml:6:27: segments: "country" given twice`},
		{"segment null key", segs("- {~: BR, values: '1'}"), "t_test.yaml:6:14: segments: want a name"},
		{"segment other value", segs("- {country: (other), values: '1'}"), `t_test.yaml:6:23: segments: dimension "country": "(other)"`},
		{"segments differ in dimensions", segs("- {country: BR, values: '1'}\n          - {platform: ios, values: '1'}"),
			"t_test.yaml:7:13: test \"a\": series \"orders\": segments[1] gives dimensions platform, segments[0] country"},
		{"segments differ in length", segs("- {country: BR, values: '1'}\n          - {country: US, values: '1 2'}"),
			"t_test.yaml:7:13: test \"a\": series \"orders\": segments[1] has 2 values, segments[0] 1"},
		{"segment twice", segs("- {country: BR, platform: ios, values: '1'}\n          - {platform: ios, country: BR, values: '2'}"),
			"t_test.yaml:7:13: test \"a\": series \"orders\": segments[1]: country=BR, platform=ios is given twice"},
		{"segments and values", "tests: [{name: a, series: {o: {values: '1', segments: [{c: BR, values: '1'}]}}, evals: [{at: x}]}]",
			`test "a": series "o": segments replace values`},
		{"segments empty", "tests: [{name: a, series: {o: {segments: []}}, evals: [{at: x}]}]", "segments: empty"},
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

// segs writes a test file whose series orders has the segments entries.
func segs(entries string) string {
	return "tests:\n  - name: a\n    series:\n      orders:\n        segments:\n          " + entries + "\n    evals: [{at: x}]\n"
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
	f.Add(segs("- {country: BR, platform: ios, values: '1 2 _', weights: '1x2'}\n          - {platform: android, country: BR, values: '3x2'}"))
	f.Add("tests: [{name: a, series: {o: {segments: [{c: BR, values: '1'}]}}, evals: [{at: x, alerts: [{metric: o, contributor: {c: BR}, share: [0.5, 1]}]}]}]")
	f.Add(segs("- &s {country: BR, values: '1'}\n          - {country: *s, values: '1'}"))
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(strings.NewReader(src), "f_test.yaml")
		if err != nil {
			if strings.Count(err.Error(), "f_test.yaml") != 1 {
				t.Fatalf("Parse error %q does not name the file once", err)
			}
			return
		}
		if len(file.Tests) == 0 {
			t.Fatal("Parse accepted a file without tests")
		}
		for _, c := range file.Tests {
			for name, s := range c.Series {
				checkParsedSegments(t, name, s.Segments)
			}
			for _, e := range c.Evals {
				for _, a := range e.Alerts {
					if a.Metric == "" || !isRange(a.Expected) || !isRange(a.Share) || (a.Share != nil && a.Contributor == nil) {
						t.Fatalf("Parse accepted a bad alert %+v", a)
					}
					if a.Contributor != nil && (len(a.Contributor.Dims) == 0 || a.Contributor.Line == 0) {
						t.Fatalf("Parse accepted a contributor without dimensions or position: %+v", a.Contributor)
					}
				}
			}
		}
	})
}

// checkParsedSegments fails unless segments Parse accepted are alike: the
// same dimensions and number of values in each, with positions.
func checkParsedSegments(t *testing.T, metric string, segs []SegmentSpec) {
	t.Helper()
	for i, s := range segs {
		if s.Line == 0 || len(s.Dims) == 0 || len(s.Values) == 0 ||
			!sameNames(names(s.Dims), names(segs[0].Dims)) || len(s.Values) != len(segs[0].Values) ||
			(s.Weights != nil && len(s.Weights) != len(s.Values)) {
			t.Fatalf("series %q: Parse accepted segments[%d] = %+v beside segments[0] = %+v", metric, i, s, segs[0])
		}
	}
}
