package sources

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// arrivalQuery is an hourly query over four buckets, evaluated 30 minutes
// into the last, probed at the offsets of its buckets.
func arrivalQuery() Query {
	from := time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)
	return Query{Rule: "orders", Table: "t", Timestamp: "ts", Value: "count()", Granularity: time.Hour,
		From: from, To: from.Add(4 * time.Hour), Arrival: "ingested_at", Now: from.Add(3*time.Hour + 30*time.Minute),
		Probes: []time.Duration{30 * time.Minute, 90 * time.Minute, 150 * time.Minute, 210 * time.Minute}}
}

func TestValidateArrivals(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Query)
		want string // "" for valid
	}{
		{"valid", func(*Query) {}, ""},
		{"no arrival", func(q *Query) { q.Arrival = " " }, "arrival column is empty"},
		{"raw sql", func(q *Query) { q.SQL = "SELECT 1 {{from}} {{to}}" }, "arrival needs the structured form"},
		{"no now", func(q *Query) { q.Now = time.Time{} }, "time of evaluation"},
		{"no probes", func(q *Query) { q.Probes = nil }, "at least one probe"},
		{"too many probes", func(q *Query) { q.Probes = make([]time.Duration, MaxProbes+1) }, "101 probes"},
		{"fractional probe", func(q *Query) { q.Probes = []time.Duration{1500 * time.Millisecond} }, "whole seconds"},
		{"descending probes", func(q *Query) { q.Probes = []time.Duration{time.Hour, time.Minute} }, "ascending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := arrivalQuery()
			tt.edit(&q)
			err := q.ValidateArrivals()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ValidateArrivals() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("ValidateArrivals() = %v, want an error containing %q", err, tt.want)
			case err != nil && !strings.Contains(err.Error(), `rule "orders"`):
				t.Errorf("ValidateArrivals() = %v, want it to name the rule", err)
			}
		})
	}
}

func TestFillArrivals(t *testing.T) {
	q := arrivalQuery()
	b := func(h int) time.Time { return q.From.Add(time.Duration(h) * time.Hour) }
	rows := []Row{
		{Bucket: b(0), Value: 10, Arrived: []float64{2, 8, 10, 10, 10}, Newest: b(1).Add(5 * time.Minute)},
		{Bucket: b(2), Value: 7, Arrived: []float64{1, 6, 7, 7, 7}, Newest: b(3).Add(20 * time.Minute)},
		{Bucket: b(3), Value: 1, Arrived: []float64{1, 1, 1, 1, 1}, Newest: q.Now.Add(time.Hour)}, // after now: ignored
	}
	s, a, err := FillArrivals(q, rows)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 4 || s.Values[0] != 10 || !math.IsNaN(s.Values[1]) {
		t.Errorf("series = %v, want 4 buckets with the values placed", s.Values)
	}
	nan := math.NaN()
	want := [][]float64{{2, 8, 10, 10}, {0, 0, 0, nan}, {1, 6, nan, nan}, {1, nan, nan, nan}}
	for i, row := range want {
		for k, v := range row {
			if got := a.Arrived[i][k]; got != v && !(math.IsNaN(got) && math.IsNaN(v)) {
				t.Errorf("Arrived[%d][%d] = %v, want %v", i, k, got, v)
			}
		}
	}
	if a.Final[0] != 10 || a.Final[1] != 0 || a.Final[2] != 7 {
		t.Errorf("Final = %v, want [10 0 7 1]", a.Final)
	}
	if !a.Newest.Equal(b(3).Add(20*time.Minute)) || !a.Now.Equal(q.Now) || len(a.Probes) != 4 {
		t.Errorf("Newest %v, Now %v, Probes %v", a.Newest, a.Now, a.Probes)
	}
	rows[1].Arrived = rows[1].Arrived[:3]
	if _, _, err := FillArrivals(q, rows); !errors.Is(err, ErrBadRow) || !strings.Contains(err.Error(), "3 arrival counts, want 5") {
		t.Errorf("FillArrivals with a short row = %v, want ErrBadRow", err)
	}
	q.Probes = nil
	if _, _, err := FillArrivals(q, nil); err == nil {
		t.Error("FillArrivals without probes = nil, want an error")
	}
}
