package sources

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var nan = math.NaN()

func hourly(from time.Time, n int) Query {
	return Query{Rule: "orders", Table: "t", Timestamp: "ts", Value: "count()", Granularity: time.Hour,
		From: from, To: from.Add(time.Duration(n) * time.Hour)}
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func TestFill(t *testing.T) {
	t0 := time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC)
	h := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }
	berlin := zone(t, "Europe/Berlin")
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, berlin) }
	ratio := hourly(t0, 4)
	ratio.Value, ratio.Numerator, ratio.Denominator = "", "orders", "visits"
	tests := []struct {
		name       string
		q          Query
		rows       []Row
		want       []float64
		wantWeight []float64
	}{
		{"gaps are NaN", hourly(t0, 4), []Row{{Bucket: h(0), Value: 3}, {Bucket: h(2), Value: 0}}, []float64{3, nan, 0, nan}, nil},
		{"order does not matter", hourly(t0, 3), []Row{{Bucket: h(2), Value: 2}, {Bucket: h(0), Value: 1}}, []float64{1, nan, 2}, nil},
		{"no rows", hourly(t0, 2), nil, []float64{nan, nan}, nil},
		{"fill zero", func() Query { q := hourly(t0, 3); q.FillZero = true; return q }(),
			[]Row{{Bucket: h(1), Value: 5}}, []float64{0, 5, 0}, nil},
		{"NULL from the data stays NaN with fill zero", func() Query { q := hourly(t0, 2); q.FillZero = true; return q }(),
			[]Row{{Bucket: h(1), Value: nan}}, []float64{0, nan}, nil},
		{"ratio carries the denominator", ratio,
			[]Row{RatioRow(h(0), 1, 4), RatioRow(h(1), 2, 0), RatioRow(h(3), 0, 5)},
			[]float64{0.25, nan, nan, 0}, []float64{4, 0, 0, 5}},
		{"ratio ignores fill zero", func() Query { q := ratio; q.FillZero = true; return q }(),
			[]Row{RatioRow(h(1), 3, 6)}, []float64{nan, 0.5, nan, nan}, []float64{0, 6, 0, 0}},
		{"days across spring forward", Query{Rule: "d", Table: "t", Timestamp: "ts", Value: "count()", Granularity: 24 * time.Hour,
			Location: berlin, From: day(30), To: day(34)},
			[]Row{{Bucket: day(31), Value: 23}, {Bucket: day(32).UTC(), Value: 24}, {Bucket: day(33), Value: 1}},
			[]float64{nan, 23, 24, 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Fill(tt.q, tt.rows)
			if err != nil {
				t.Fatalf("Fill: %v", err)
			}
			if !sameFloats(s.Values, tt.want) {
				t.Errorf("Fill(%s).Values = %v, want %v", tt.name, s.Values, tt.want)
			}
			if !sameFloats(s.Weight, tt.wantWeight) || (s.Weight == nil) != (tt.wantWeight == nil) {
				t.Errorf("Fill(%s).Weight = %v, want %v", tt.name, s.Weight, tt.wantWeight)
			}
			if !s.Start.Equal(tt.q.From) || s.Step != tt.q.Granularity || s.Location() != tt.q.Loc() {
				t.Errorf("Fill(%s) = start %s step %v zone %s, want %s %v %s", tt.name, s.Start, s.Step, s.Location(), tt.q.From, tt.q.Granularity, tt.q.Loc())
			}
			for i := range s.Values {
				if j, ok := s.Index(s.Time(i)); !ok || j != i {
					t.Errorf("Fill(%s): series.Index(series.Time(%d)) = %d, want %d", tt.name, i, j, i)
				}
			}
		})
	}
}

func TestFillBadRows(t *testing.T) {
	t0 := time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC)
	q := hourly(t0, 3)
	tests := []struct {
		name string
		rows []Row
		want string
	}{
		{"before the window", []Row{{Bucket: t0.Add(-time.Hour)}}, "outside the window"},
		{"at the end", []Row{{Bucket: t0.Add(3 * time.Hour)}}, "outside the window"},
		{"misaligned", []Row{{Bucket: t0.Add(90 * time.Minute)}}, "not a bucket start"},
		{"twice", []Row{{Bucket: t0}, {Bucket: t0.In(zone(t, "Asia/Tokyo"))}}, "twice"},
		{"zero time", []Row{{}}, "no bucket time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fill(q, tt.rows)
			if !errors.Is(err, ErrBadRow) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `rule "orders"`) {
				t.Errorf("Fill(%s) error = %v, want ErrBadRow naming the rule and saying %q", tt.name, err, tt.want)
			}
		})
	}
	if _, err := Fill(Query{Rule: "x"}, nil); err == nil {
		t.Error("Fill(invalid query) = nil error")
	}
}
