package detector

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// freshnessFlat returns n copies of v followed by tail.
func freshnessFlat(n int, v float64, tail ...float64) []float64 {
	out := make([]float64, 0, n+len(tail))
	for range n {
		out = append(out, v)
	}
	return append(out, tail...)
}

func TestFreshnessDetect(t *testing.T) {
	nan := thresholdNaN
	alternating := make([]float64, 20)
	for i := range alternating {
		alternating[i] = float64(5 * (i % 2))
	}
	tests := []struct {
		name      string
		f         Freshness
		s         Series
		from      int
		anomalies []int
		reasons   []string // reason of each anomaly, in order; nil skips the check
	}{
		{
			name:      "latest bucket missing",
			f:         Freshness{Window: 10},
			s:         thresholdHourly(freshnessFlat(10, 4400, nan)...),
			anomalies: []int{10},
			reasons:   []string{"no data for the last hour (expected about 4,400 per hour)"},
		},
		{
			name:      "three missing buckets",
			f:         Freshness{Window: 10},
			s:         thresholdHourly(freshnessFlat(10, 4400, nan, nan, nan)...),
			from:      10,
			anomalies: []int{10, 11, 12},
			reasons: []string{"no data for the last hour (expected about 4,400 per hour)",
				"no data for the last 2 hours (expected about 4,400 per hour)",
				"no data for the last 3 hours (expected about 4,400 per hour)"},
		},
		{
			name:      "tolerance lets two empty buckets pass",
			f:         Freshness{Window: 10, Tolerance: 2},
			s:         thresholdHourly(freshnessFlat(10, 4400, nan, nan, nan, 7, nan)...),
			anomalies: []int{12},
			reasons:   []string{"no data for the last 3 hours (expected about 4,400 per hour)"},
		},
		{
			name:      "zero rows when zeros are rare",
			f:         Freshness{Window: 10},
			s:         thresholdHourly(freshnessFlat(10, 120, 0, 0)...),
			anomalies: []int{10, 11},
			reasons:   []string{"zero for the last hour (expected about 120 per hour)", "zero for the last 2 hours (expected about 120 per hour)"},
		},
		{
			name:      "zeros and gaps together",
			f:         Freshness{Window: 10},
			s:         thresholdHourly(freshnessFlat(10, 120, 0, nan)...),
			anomalies: []int{10, 11},
			reasons:   []string{"zero for the last hour (expected about 120 per hour)", "no data or zero for the last 2 hours (expected about 120 per hour)"},
		},
		{
			name:      "zeros are data when they are common",
			f:         Freshness{Window: 10},
			s:         thresholdHourly(append(alternating, 0, nan)...),
			anomalies: []int{21},
			reasons:   []string{"no data for the last hour (expected about 2.5 per hour)"},
		},
		{
			name: "zeros are data when kept",
			f:    Freshness{Window: 10, KeepZeros: true},
			s:    thresholdHourly(freshnessFlat(10, 120, 0, 0)...),
		},
		{
			name: "zeros are data without enough history",
			f:    Freshness{Window: 10},
			s:    thresholdHourly(120, 130, 0),
		},
		{
			name:      "no history at all",
			s:         thresholdHourly(nan, nan),
			anomalies: []int{0, 1},
			reasons:   []string{"no data for the last hour", "no data for the last 2 hours"},
		},
		{
			name: "min volume skips small metrics",
			f:    Freshness{Window: 10, Guards: Guards{MinVolume: 10}},
			s:    thresholdHourly(freshnessFlat(10, 3, nan)...),
		},
		{
			name: "min volume of a ratio uses its weight",
			f:    Freshness{Window: 4, Guards: Guards{MinVolume: 100}},
			s: Series{Start: thresholdT0, Step: time.Hour, Values: []float64{0.1, 0.1, 0.1, 0.1, nan},
				Weight: []float64{500, 500, 500, 500, 0}},
			anomalies: []int{4},
			reasons:   []string{"no data for the last hour (usually about 0.1)"},
		},
		{
			name:      "calendar days",
			f:         Freshness{Window: 7},
			s:         Series{Start: thresholdT0, Step: 24 * time.Hour, Values: freshnessFlat(7, 1e12, nan, nan)},
			anomalies: []int{7, 8},
			reasons:   []string{"no data for the last day (expected about 1T per day)", "no data for the last 2 days (expected about 1T per day)"},
		},
		{
			name:      "quarter hours with tiny values",
			f:         Freshness{Window: 4},
			s:         Series{Start: thresholdT0, Step: 15 * time.Minute, Values: freshnessFlat(4, 1e-9, nan, nan)},
			anomalies: []int{4, 5},
			reasons:   []string{"no data for the last 15 minutes (expected about 0.000000001 per 15 minutes)", "no data for the last 30 minutes (expected about 0.000000001 per 15 minutes)"},
		},
		{
			name: "constant series",
			s:    thresholdHourly(freshnessFlat(300, 7)...),
		},
		{
			name: "single present point",
			s:    thresholdHourly(7),
		},
		{
			name:      "direction down alerts",
			f:         Freshness{Window: 3, Guards: Guards{Direction: Down}},
			s:         thresholdHourly(1, 1, 1, nan),
			anomalies: []int{3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, err := tt.f.Detect(tt.s, tt.from)
			if err != nil {
				t.Fatalf("Detect error: %v", err)
			}
			thresholdCheckPoints(t, tt.s, tt.from, pts)
			got := thresholdAnomalies(pts)
			if !thresholdSameInts(got, tt.anomalies) {
				t.Fatalf("Detect anomalies = %v, want %v", got, tt.anomalies)
			}
			for k, i := range got {
				if tt.reasons != nil && pts[i-tt.from].Reason != tt.reasons[k] {
					t.Errorf("point %d reason = %q, want %q", i, pts[i-tt.from].Reason, tt.reasons[k])
				}
			}
			thresholdCheckNoLookahead(t, tt.f, tt.s, 1)
		})
	}
}

func TestFreshnessPointFields(t *testing.T) {
	s := thresholdHourly(freshnessFlat(5, 10, 20, 30, thresholdNaN, thresholdNaN, thresholdNaN, 40)...)
	pts, err := Freshness{Window: 4, Tolerance: 1}.Detect(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p := pts[6]; p.Expected != 10 || p.Anomaly || !math.IsNaN(p.Lower) {
		t.Errorf("present point 6: expected %v (want median 10), anomaly %v, lower %v", p.Expected, p.Anomaly, p.Lower)
	}
	scores := []float64{pts[7].Score, pts[8].Score, pts[9].Score}
	if !slices.IsSorted(scores) || scores[0] >= 0.5 || math.Abs(scores[1]-0.5) > 1e-12 {
		t.Errorf("scores along the outage = %v, want rising, below 0.5 within tolerance, 0.5 at the first alert", scores)
	}
	for _, i := range []int{7, 8, 9} {
		if pts[i].Expected != 15 || pts[i].Direction != Down {
			t.Errorf("point %d: expected %v direction %v, want the median before the outage, 15, and down", i, pts[i].Expected, pts[i].Direction)
		}
	}
	if pts[10].Anomaly || pts[10].Score != 0 {
		t.Errorf("point 10 after the outage: anomaly %v score %v, want neither", pts[10].Anomaly, pts[10].Score)
	}
}

func TestFreshnessErrors(t *testing.T) {
	ok := thresholdHourly(1)
	tests := []struct {
		name string
		f    Freshness
		want string
	}{
		{"negative window", Freshness{Window: -1}, "window must be"},
		{"negative tolerance", Freshness{Tolerance: -1}, "tolerance must be"},
		{"zero share of one", Freshness{ZeroShare: 1}, "zero share must be"},
		{"NaN zero share", Freshness{ZeroShare: math.NaN()}, "zero share must be"},
		{"direction up", Freshness{Guards: Guards{Direction: Up}}, "direction must be down or both"},
		{"bad guards", Freshness{Guards: Guards{MinVolume: -1}}, "min volume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.f.Detect(ok, 0); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Detect error = %v, want one containing %q", err, tt.want)
			}
			if _, err := NewFreshness(tt.f); err == nil {
				t.Fatal("NewFreshness error = nil, want an error")
			}
		})
	}
	if _, err := (Freshness{}).Detect(thresholdHourly(), 0); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("Detect(empty) error = %v, want ErrNotEnoughData", err)
	}
	f, err := NewFreshness(Freshness{})
	if err != nil || f.Window != freshnessDefaultWindow || f.ZeroShare != freshnessDefaultZeroShare {
		t.Errorf("NewFreshness(zero) = %+v, %v; want the defaults", f, err)
	}
}

func TestFreshnessAt(t *testing.T) {
	now := time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		newest  time.Time
		maxAge  time.Duration
		anomaly bool
		score   float64 // checked when >= 0
		reason  string
	}{
		{"fresh", now.Add(-30 * time.Minute), 2 * time.Hour, false, 0.2, ""},
		{"exactly the limit", now.Add(-2 * time.Hour), 2 * time.Hour, false, 0.5, ""},
		{"stale", now.Add(-5*time.Hour - 10*time.Minute), 2 * time.Hour, true, -1,
			"no new data for 5 hours (newest at 2026-11-20 07:50 UTC; allowed 2 hours)"},
		{"days old", now.Add(-72 * time.Hour), 90 * time.Minute, true, -1,
			"no new data for 3 days (newest at 2026-11-17 13:00 UTC; allowed 90 minutes)"},
		{"newest in the future", now.Add(time.Hour), time.Hour, false, 0, ""},
		{"no rows", time.Time{}, time.Hour, true, 1, "no data at all (allowed age 1 hour)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := FreshnessAt(tt.newest, now, tt.maxAge)
			if err != nil {
				t.Fatal(err)
			}
			if p.Anomaly != tt.anomaly || p.Reason != tt.reason {
				t.Errorf("FreshnessAt = anomaly %v reason %q, want %v %q", p.Anomaly, p.Reason, tt.anomaly, tt.reason)
			}
			if tt.score >= 0 && math.Abs(p.Score-tt.score) > 1e-12 {
				t.Errorf("FreshnessAt score = %v, want %v", p.Score, tt.score)
			}
			if p.Anomaly != (p.Direction == Up) || p.Upper != tt.maxAge.Seconds() || !p.Time.Equal(now) {
				t.Errorf("FreshnessAt = %+v: want direction up exactly when anomalous, upper = max age, time = now", p)
			}
		})
	}
	if _, err := FreshnessAt(now, now, 0); err == nil {
		t.Error("FreshnessAt(max age 0) error = nil, want an error")
	}
}

func FuzzFreshness(f *testing.F) {
	f.Add(thresholdFuzzBytes(1, 0, 3, math.NaN(), 1e12, -1e-9, 0), 3, 1, 0.1, false, 0)
	f.Add(thresholdFuzzBytes(math.NaN(), math.Inf(-1), 0, 0), 1, 0, 0.0, true, 2)
	f.Add([]byte{}, 0, 0, 0.0, false, 0)
	f.Fuzz(func(t *testing.T, b []byte, window, tolerance int, share float64, keep bool, from int) {
		s := thresholdFuzzSeries(b)
		d := Freshness{Window: window % 1000, Tolerance: tolerance, ZeroShare: share, KeepZeros: keep}
		from = thresholdFuzzFrom(s, from)
		pts, err := d.Detect(s, from)
		if err != nil {
			return
		}
		thresholdCheckPoints(t, s, from, pts)
	})
}

func BenchmarkFreshness(b *testing.B) {
	d := Freshness{}
	b.Run("history", func(b *testing.B) { thresholdBenchHistory(b, d) })
	b.Run("latest", func(b *testing.B) { thresholdBenchLatest(b, d) })
}

func ExampleFreshness() {
	v := make([]float64, 48)
	for i := range v {
		v[i] = 4400
	}
	v[45], v[46], v[47] = math.NaN(), math.NaN(), math.NaN()
	s := Series{Start: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Step: time.Hour, Values: v}
	pts, err := Freshness{}.Detect(s, s.Len()-1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pts[0].Anomaly, pts[0].Reason)
	// Output: true no data for the last 3 hours (expected about 4,400 per hour)
}

func FuzzFreshnessAt(f *testing.F) {
	f.Add(int64(0), int64(3600e9), int64(7200e9))
	f.Add(int64(-1), int64(1<<62), int64(1))
	f.Fuzz(func(t *testing.T, newest, now, maxAge int64) {
		var n time.Time
		if newest != 0 {
			n = time.Unix(0, newest)
		}
		p, err := FreshnessAt(n, time.Unix(0, now), time.Duration(maxAge))
		if err != nil {
			if maxAge > 0 {
				t.Fatalf("FreshnessAt(max age %v) error: %v", time.Duration(maxAge), err)
			}
			return
		}
		if math.IsNaN(p.Score) || p.Score < 0 || p.Score > 1 || math.IsNaN(p.Z) {
			t.Fatalf("FreshnessAt = score %v, Z %v", p.Score, p.Z)
		}
		if p.Anomaly && p.Reason == "" {
			t.Fatal("FreshnessAt: anomaly without a reason")
		}
	})
}
