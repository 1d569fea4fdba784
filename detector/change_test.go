package detector

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestChangeDetect(t *testing.T) {
	nan := thresholdNaN
	tests := []struct {
		name      string
		c         Change
		s         Series
		from      int
		anomalies []int
		dirs      []Direction
	}{
		{
			name: "previous bucket, absolute",
			c:    Change{Offset: 1, Max: 10},
			// refs: -, 100, 105, 120, 119, NaN, 100
			s:         thresholdHourly(100, 105, 120, 119, nan, 100, 200),
			anomalies: []int{2, 6},
			dirs:      []Direction{Up, Up},
		},
		{
			name: "two back, relative",
			c:    Change{Offset: 2, Relative: true, Max: 0.2},
			// refs: -, -, 100 (band 80..120), 50 (40..60), 79 (63.2..94.8), 50 (40..60)
			s:         thresholdHourly(100, 50, 79, 50, 100, 61),
			anomalies: []int{2, 4, 5},
			dirs:      []Direction{Down, Up, Up},
		},
		{
			name: "mean of three periods",
			c:    Change{Offset: 1, Periods: 3, Max: 5},
			// point 3: mean(10, 20, 30) = 20, 26 is 6 above; point 4: mean(26, 10, 20) = 18.67
			s:         thresholdHourly(30, 20, 10, 26, 18),
			from:      3,
			anomalies: []int{3},
			dirs:      []Direction{Up},
		},
		{
			name: "median of three periods ignores one odd period",
			c:    Change{Offset: 1, Periods: 3, Median: true, Max: 5},
			// point 3: median(100, 10, 12) = 12, 14 is fine; a mean (40.7) would flag it
			s:    thresholdHourly(10, 100, 12, 14),
			from: 3,
		},
		{
			name: "missing past periods are skipped",
			c:    Change{Offset: 1, Periods: 3, Max: 1},
			// point 3: only 10 is present
			s:         thresholdHourly(10, nan, nan, 12),
			from:      3,
			anomalies: []int{3},
			dirs:      []Direction{Up},
		},
		{
			name:      "day over day by duration",
			c:         Change{OffsetDuration: 24 * time.Hour, Relative: true, Max: 0.5},
			s:         thresholdHourly(append(thresholdNoise(1, 24, 100, 1), 100, 30)...),
			from:      24,
			anomalies: []int{25},
			dirs:      []Direction{Down},
		},
		{
			name:      "direction up ignores drops",
			c:         Change{Offset: 1, Max: 1, Guards: Guards{Direction: Up}},
			s:         thresholdHourly(10, 5, 10),
			anomalies: []int{2},
			dirs:      []Direction{Up},
		},
		{
			name:      "min delta",
			c:         Change{Offset: 1, Max: 1, Guards: Guards{MinDelta: 5}},
			s:         thresholdHourly(10, 13, 20),
			anomalies: []int{2},
			dirs:      []Direction{Up},
		},
		{
			name: "min volume",
			c:    Change{Offset: 1, Relative: true, Max: 0.5, Guards: Guards{MinVolume: 50}},
			// 2 → 10 is +400% but small; 100 → 10 is large because the reference was
			s:         thresholdHourly(2, 10, 100, 10),
			anomalies: []int{2, 3},
			dirs:      []Direction{Up, Down},
		},
		{
			name: "constant series",
			c:    Change{Offset: 2, Max: 0.001},
			s:    thresholdHourly(7, 7, 7, 7, 7, 7),
		},
		{
			name:      "huge magnitudes",
			c:         Change{Offset: 1, Relative: true, Max: 0.1},
			s:         thresholdHourly(1e12, 1.05e12, 0.9e12),
			anomalies: []int{2},
			dirs:      []Direction{Down},
		},
		{
			name:      "tiny magnitudes",
			c:         Change{Offset: 1, Relative: true, Max: 0.1},
			s:         thresholdHourly(1e-9, 1.05e-9, 1.2e-9),
			anomalies: []int{2},
			dirs:      []Direction{Up},
		},
		{
			name:      "relative change from zero",
			c:         Change{Offset: 1, Relative: true, Max: 0.5},
			s:         thresholdHourly(0, 0, 3),
			anomalies: []int{2},
			dirs:      []Direction{Up},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, err := tt.c.Detect(tt.s, tt.from)
			if err != nil {
				t.Fatalf("Detect error: %v", err)
			}
			thresholdCheckPoints(t, tt.s, tt.from, pts)
			got := thresholdAnomalies(pts)
			if !thresholdSameInts(got, tt.anomalies) {
				t.Fatalf("Detect anomalies = %v, want %v", got, tt.anomalies)
			}
			for k, i := range got {
				if d := pts[i-tt.from].Direction; d != tt.dirs[k] {
					t.Errorf("point %d direction = %v, want %v", i, d, tt.dirs[k])
				}
			}
			if tt.s.Len() > 1 {
				thresholdCheckNoLookahead(t, tt.c, tt.s, 1)
			}
		})
	}
}

func TestChangePointFields(t *testing.T) {
	c := Change{Offset: 1, Relative: true, Max: 0.1, Guards: Guards{Threshold: ThresholdHigh}}
	pts, err := c.Detect(thresholdHourly(4400, 3212, 3533.2, thresholdNaN, 5), 1)
	if err != nil {
		t.Fatal(err)
	}
	p := pts[0]
	if p.Expected != 4400 || math.Abs(p.Lower-3960) > 1e-9 || math.Abs(p.Upper-4840) > 1e-9 {
		t.Errorf("point 1: expected %v band [%v, %v], want 4400 [3960, 4840]", p.Expected, p.Lower, p.Upper)
	}
	if want := "27% below the expected 4,400; lower bound 3,960"; p.Reason != want {
		t.Errorf("point 1: reason %q, want %q", p.Reason, want)
	}
	// 3533.2 is exactly 10% above 3212: on the edge, Z = 4 whatever the sensitivity.
	if q := pts[1]; q.Anomaly || math.Abs(q.Z-4) > 1e-9 || math.Abs(q.Score-0.5) > 1e-9 {
		t.Errorf("point 2: anomaly %v, Z %v, score %v; want false, 4, 0.5", q.Anomaly, q.Z, q.Score)
	}
	if q := pts[2]; q.Anomaly || q.Score != 0 {
		t.Errorf("missing point 3: anomaly %v score %v, want neither", q.Anomaly, q.Score)
	}
	if q := pts[3]; q.Judged() || q.Anomaly {
		t.Errorf("point 4 after a gap: judged %v anomaly %v, want unjudged", q.Judged(), q.Anomaly)
	}
}

// On a daily calendar series, week over week is seven local days back even
// across a daylight-saving change.
func TestChangeCalendarWeekOverWeek(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	v := make([]float64, 21)
	for i := range v {
		v[i] = float64(100 + i%7) // a weekly pattern
	}
	v[20] = 50
	s := Series{Start: time.Date(2026, 10, 18, 0, 0, 0, 0, berlin), Step: 24 * time.Hour, Loc: berlin, Values: v}
	pts, err := Change{OffsetDuration: 7 * 24 * time.Hour, Relative: true, Max: 0.05}.Detect(s, 7)
	if err != nil {
		t.Fatal(err)
	}
	got := thresholdAnomalies(pts)
	if !thresholdSameInts(got, []int{20}) {
		t.Fatalf("Detect anomalies = %v, want [20]", got)
	}
	last := pts[len(pts)-1]
	if last.Expected != float64(100+20%7) {
		t.Errorf("expected %v, want %v", last.Expected, 100+20%7)
	}
	if h := last.Time.In(berlin).Hour(); h != 0 {
		t.Errorf("point time %v is not local midnight", last.Time)
	}
}

func TestChangeErrors(t *testing.T) {
	ok := thresholdHourly(1, 2, 3)
	tests := []struct {
		name string
		c    Change
		s    Series
		want string
	}{
		{"no offset", Change{Max: 1}, ok, "set an offset"},
		{"both offsets", Change{Offset: 1, OffsetDuration: time.Hour, Max: 1}, ok, "not both"},
		{"negative offset", Change{Offset: -1, Max: 1}, ok, "offset must be a positive"},
		{"negative duration", Change{OffsetDuration: -time.Hour, Max: 1}, ok, "offset duration must be positive"},
		{"uneven duration", Change{OffsetDuration: 90 * time.Minute, Max: 1}, ok, "offset 1h30m is not a whole number of 1h buckets"},
		{"short duration", Change{OffsetDuration: time.Minute, Max: 1}, ok, "not a whole number"},
		{"no max", Change{Offset: 1}, ok, "max change must be"},
		{"NaN max", Change{Offset: 1, Max: math.NaN()}, ok, "max change must be"},
		{"too many periods", Change{Offset: 1, Periods: 5000, Max: 1}, ok, "periods must be between"},
		{"bad guards", Change{Offset: 1, Max: 1, Guards: Guards{MinVolume: math.Inf(1)}}, ok, "min volume"},
		{"bad series", Change{Offset: 1, Max: 1}, Series{Values: []float64{1, 2}}, "step"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.Detect(tt.s, 0)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Detect error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	for _, s := range []Series{thresholdHourly(), thresholdHourly(1), thresholdHourly(1, 2)} {
		if _, err := (Change{Offset: 2, Max: 1}).Detect(s, 0); !errors.Is(err, ErrNotEnoughData) {
			t.Errorf("Detect(%d points, offset 2) error = %v, want ErrNotEnoughData", s.Len(), err)
		}
	}
	c, err := NewChange(Change{Offset: 1, Max: 1})
	if err != nil || c.Periods != 1 {
		t.Errorf("NewChange = %+v, %v; want periods 1 and no error", c, err)
	}
	if _, err := NewChange(Change{Offset: 1}); err == nil {
		t.Error("NewChange(no max) error = nil, want an error")
	}
}

func FuzzChange(f *testing.F) {
	f.Add(thresholdFuzzBytes(1, 2, 3, math.NaN(), 1e12, -1e-9, 0), 1, 2, 0.5, true, false, 0, uint8(0))
	f.Add(thresholdFuzzBytes(math.MaxFloat64, -math.MaxFloat64, math.Inf(1), 0), 1, 3, 1e300, true, true, 1, uint8(2))
	f.Add([]byte{}, 1, 1, 1.0, false, false, 0, uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, offset, periods int, maxChange float64, relative, median bool, from int, dir uint8) {
		s := thresholdFuzzSeries(b)
		c := Change{Offset: offset, Periods: periods, Max: maxChange, Relative: relative, Median: median,
			Guards: Guards{Direction: Direction(dir % 4)}}
		from = thresholdFuzzFrom(s, from)
		pts, err := c.Detect(s, from)
		if err != nil {
			return
		}
		thresholdCheckPoints(t, s, from, pts)
	})
}

func BenchmarkChange(b *testing.B) {
	d := Change{Offset: 24, Relative: true, Max: 0.3}
	b.Run("history", func(b *testing.B) { thresholdBenchHistory(b, d) })
	b.Run("latest", func(b *testing.B) { thresholdBenchLatest(b, d) })
	w := Change{Offset: 168, Periods: 4, Median: true, Relative: true, Max: 0.3}
	b.Run("history-median4w", func(b *testing.B) { thresholdBenchHistory(b, w) })
}

func TestChangeDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "1h"},
		{7 * 24 * time.Hour, "1w"},
		{24 * time.Hour, "1d"},
		{90 * time.Minute, "1h30m"},
		{45 * time.Minute, "45m"},
		{30 * time.Second, "30s"},
		{90 * time.Second, "1m30s"},
	}
	for _, tt := range tests {
		if got := changeDuration(tt.d); got != tt.want {
			t.Errorf("changeDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func ExampleChange() {
	// Daily orders compared with the median of the same weekday over the
	// past four weeks, allowing ±20%.
	c, err := NewChange(Change{OffsetDuration: 7 * 24 * time.Hour, Periods: 4, Median: true, Relative: true, Max: 0.2})
	if err != nil {
		fmt.Println(err)
		return
	}
	v := make([]float64, 29)
	for i := range v {
		v[i] = 4400
	}
	v[14] = 9000 // a promotion two weeks ago is outvoted by the other weeks
	v[28] = 3210
	s := Series{Start: time.Date(2026, 10, 23, 0, 0, 0, 0, time.UTC), Step: 24 * time.Hour, Values: v}
	pts, err := c.Detect(s, s.Len()-1)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := pts[0]
	fmt.Println(p.Time.Format("Mon Jan 2"), p.Anomaly, p.Reason)
	// Output: Fri Nov 20 true 27% below the expected 4,400; lower bound 3,520
}
