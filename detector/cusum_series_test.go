package detector

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCUSUMSeries(t *testing.T) {
	nan := thresholdNaN
	flat := make([]float64, 200)
	for i := range flat {
		flat[i] = 5
	}
	stepped := append(append([]float64{}, flat...), 6, 6, 6, 6, 6, 6, 6, 6, 6, 6)
	gappy := cusumStep(6, 700, 400, -30, false)
	for i := range gappy {
		if i%7 == 3 {
			gappy[i] = nan
		}
	}
	scaled := func(f float64) []float64 {
		v := cusumStep(7, 700, 400, -20, false)
		for i := range v {
			v[i] *= f
		}
		return v
	}
	tests := []struct {
		name   string
		v      []float64
		alarms []int // nil: any alarm after first
		first  int   // anomalies must be at or after this bucket
	}{
		{"constant", flat, []int{}, 0},
		{"constant then a step", stepped, nil, 200},
		{"gaps", gappy, nil, 400},
		{"all missing but the last few", append(thresholdNoise(1, 200, nan, 0), 1, 2, 3), []int{}, 0},
		{"huge values", scaled(1e12), nil, 400},
		{"tiny values", scaled(1e-9), nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := thresholdHourly(tt.v...)
			pts, err := CUSUM{}.Detect(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			thresholdCheckPoints(t, s, 0, pts)
			got := thresholdAnomalies(pts)
			if tt.alarms != nil && !thresholdSameInts(got, tt.alarms) {
				t.Fatalf("Detect anomalies = %v, want %v", got, tt.alarms)
			}
			if tt.alarms == nil && (len(got) == 0 || got[0] < tt.first) {
				t.Fatalf("Detect anomalies = %v, want some, none before %d", got, tt.first)
			}
			for _, p := range pts {
				if math.IsNaN(p.Value) && (p.Anomaly || p.Score != 0) {
					t.Fatalf("missing point %d: anomaly %v score %v", p.Index, p.Anomaly, p.Score)
				}
			}
		})
	}
	// The same series at any magnitude alarms at the same buckets.
	var want []int
	for _, f := range []float64{1, 1e12, 1e-9} {
		pts, err := CUSUM{}.Detect(thresholdHourly(scaled(f)...), 0)
		if err != nil {
			t.Fatal(err)
		}
		got := thresholdAnomalies(pts)
		if want == nil {
			want = got
		} else if !thresholdSameInts(got, want) {
			t.Errorf("alarms at scale %g = %v, want %v as at scale 1", f, got, want)
		}
	}
}

func TestCUSUMNoLookahead(t *testing.T) {
	v := cusumStep(8, 500, 300, -25, true)
	v[100], v[101] = thresholdNaN, thresholdNaN
	for _, c := range []CUSUM{{}, {Period: 24}, {Window: 48, Guards: Guards{Threshold: ThresholdHigh}}} {
		thresholdCheckNoLookahead(t, c, thresholdHourly(v...), 7)
	}
}

func TestCUSUMCalendarReason(t *testing.T) {
	v := cusumStep(9, 120, 90, 40, false)
	s := Series{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Step: 24 * time.Hour, Values: v}
	pts, err := CUSUM{Window: 56}.Detect(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := thresholdAnomalies(pts)
	if len(got) == 0 {
		t.Fatal("no alarm for a 4-sigma rise on a daily series")
	}
	if r := pts[got[0]].Reason; !strings.Contains(r, "higher since 2026-") || strings.Contains(r, ":00") {
		t.Errorf("reason %q: want a higher level since a date without a time of day", r)
	}
}

// Values near the largest float64 overflow deviations and sigma; the
// statistics must stay numbers so that later shifts are still found.
func TestCUSUMExtremeValues(t *testing.T) {
	v := make([]float64, 400)
	for i := range v {
		v[i] = -math.MaxFloat64 // three in five
		if i%5 >= 3 {
			v[i] = math.MaxFloat64 // the reference is −max, sigma +Inf, and value − reference overflows
		}
	}
	s := thresholdHourly(v...)
	set, err := CUSUM{}.settings()
	if err != nil {
		t.Fatal(err)
	}
	r := newCUSUMRun(CUSUM{}, set, s, 0, true)
	for i := range v {
		r.step(i)
		if math.IsNaN(r.pos.s) || math.IsNaN(r.neg.s) {
			t.Fatalf("statistics became NaN at bucket %d (sigma %v)", i, r.sigma)
		}
	}
	thresholdCheckPoints(t, s, 0, r.pts)
}

// The engine judges a sliding window: each run starts its series a bucket
// later. Baselines refresh at epoch-aligned buckets, so once the
// statistics have been at zero together, verdicts on recent buckets do not
// depend on where the series starts.
func TestCUSUMSlidingStart(t *testing.T) {
	v := cusumStep(10, 1200, 1200, 0, true)
	full := thresholdHourly(v...)
	for _, c := range []CUSUM{{}, {Period: 24}} {
		want, err := c.Detect(full, full.Len()-100)
		if err != nil {
			t.Fatal(err)
		}
		for _, drop := range []int{1, 5, 24, 100} {
			s := thresholdHourly(v[drop:]...)
			s.Start = full.Time(drop)
			got, err := c.Detect(s, s.Len()-100)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				g, w := got[i], want[i]
				g.Index = w.Index
				if !thresholdSamePoint(g, w) {
					t.Fatalf("period %d, series starting %d buckets later: point %v = %+v, want %+v", c.Period, drop, w.Time, got[i], w)
				}
			}
		}
	}
}
