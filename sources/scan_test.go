package sources

import (
	"math"
	"testing"
	"time"
)

func TestKeyedRow(t *testing.T) {
	nan := math.NaN()
	base := Query{Rule: "r", Value: "count()", Granularity: time.Hour, Location: time.UTC}
	ratio := base
	ratio.Value, ratio.Numerator, ratio.Denominator = "", "a", "b"
	arrivals := ratio
	arrivals.Arrival, arrivals.Probes = "at", []time.Duration{time.Minute}
	newest := time.Unix(1700000000, 500_000_000).UTC()
	tests := []struct {
		name       string
		q          Query
		cols       []float64
		value, den float64
		arrived    []float64
		newest     time.Time
	}{
		{"value", base, []float64{7}, 7, 0, nil, time.Time{}},
		{"null value", base, []float64{nan}, nan, 0, nil, time.Time{}},
		{"ratio, null denominator", ratio, []float64{3, nan}, nan, 0, nil, time.Time{}},
		{"arrivals", arrivals, []float64{3, 4, 1, 2, 1700000000.5}, 0.75, 4, []float64{1, 2}, newest},
		{"arrivals, none arrived", arrivals, []float64{3, 4, 0, 0, nan}, 0.75, 4, []float64{0, 0}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w := tt.q.Width(); w != len(tt.cols) {
				t.Fatalf("Width() = %d, want %d", w, len(tt.cols))
			}
			r := KeyedRow(tt.q, 3600, tt.cols)
			same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
			if !r.Bucket.Equal(time.Unix(3600, 0)) || !same(r.Value, tt.value) || r.Weight != tt.den {
				t.Errorf("KeyedRow = %v, value %v, weight %v; want 01:00, %v, %v", r.Bucket, r.Value, r.Weight, tt.value, tt.den)
			}
			if len(r.Arrived) != len(tt.arrived) || !r.Newest.Equal(tt.newest) {
				t.Errorf("KeyedRow arrivals = %v, newest %v; want %v, %v", r.Arrived, r.Newest, tt.arrived, tt.newest)
			}
			for i := range tt.arrived {
				if r.Arrived[i] != tt.arrived[i] {
					t.Errorf("Arrived[%d] = %v, want %v", i, r.Arrived[i], tt.arrived[i])
				}
			}
		})
	}
}
