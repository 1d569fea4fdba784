package detector

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// cusumStep returns hourly noise around 100 (sd 10) whose level moves by
// shift from bucket at on, with an optional daily pattern.
func cusumStep(seed uint64, n, at int, shift float64, daily bool) []float64 {
	v := thresholdNoise(seed, n, 100, 10)
	for i := range v {
		if daily {
			v[i] += 30 * math.Sin(2*math.Pi*float64(i%24)/24)
		}
		if i >= at {
			v[i] += shift
		}
	}
	return v
}

func TestCUSUMStep(t *testing.T) {
	const at = 400
	// At high sensitivity a false alarm is expected every few hundred
	// buckets, so that case judges only from the step on.
	tests := []struct {
		name     string
		c        CUSUM
		v        []float64
		from     int
		alarms   int // anomalies at or after the step
		dir      Direction
		maxDelay int
	}{
		{"drop of 3 sigma", CUSUM{}, cusumStep(1, 700, at, -30, false), 0, 1, Down, 10},
		{"rise of 1 sigma", CUSUM{}, cusumStep(2, 700, at, 10, false), 0, 1, Up, 60},
		{"drop with a daily pattern", CUSUM{Period: 24}, cusumStep(3, 700, at, -20, true), 0, 1, Down, 30},
		{"drop not wanted", CUSUM{Guards: Guards{Direction: Up}}, cusumStep(1, 700, at, -30, false), 0, 0, None, 0},
		{"drop below min delta", CUSUM{Guards: Guards{MinDelta: 50}}, cusumStep(1, 700, at, -30, false), 0, 0, None, 0},
		{"drop below min relative delta", CUSUM{Guards: Guards{MinRelDelta: 0.5}}, cusumStep(1, 700, at, -30, false), 0, 0, None, 0},
		{"high sensitivity", CUSUM{Guards: Guards{Threshold: ThresholdHigh}}, cusumStep(4, 700, at, -10, false), at, 1, Down, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := thresholdHourly(tt.v...)
			pts, err := tt.c.Detect(s, tt.from)
			if err != nil {
				t.Fatal(err)
			}
			thresholdCheckPoints(t, s, tt.from, pts)
			var got []int
			for _, i := range thresholdAnomalies(pts) {
				if i < at {
					t.Fatalf("false alarm at %d before the step: %s", i, pts[i-tt.from].Reason)
				}
				got = append(got, i)
			}
			if len(got) != tt.alarms {
				t.Fatalf("Detect = %d alarms after the step %v, want %d", len(got), got, tt.alarms)
			}
			if tt.alarms == 0 {
				return
			}
			p := pts[got[0]-tt.from]
			if p.Direction != tt.dir || p.Index-at > tt.maxDelay {
				t.Errorf("alarm at %d (delay %d) direction %v, want within %d buckets and %v", p.Index, p.Index-at, p.Direction, tt.maxDelay, tt.dir)
			}
			if p.Score < Score(tt.c.threshold()) {
				t.Errorf("alarm score %v is below the score of the threshold %v", p.Score, Score(tt.c.threshold()))
			}
			cps, err := tt.c.ChangePoints(s, tt.from)
			if err != nil || len(cps) != 1 {
				t.Fatalf("ChangePoints = %v, %v; want one", cps, err)
			}
			cp := cps[0]
			if cp.Index != p.Index || cp.Start < at-5 || cp.Start > p.Index {
				t.Errorf("change point %+v, want detected at %d and started near %d", cp, p.Index, at)
			}
			if !strings.Contains(p.Reason, "since "+s.Time(cp.Start).Format("2006-01-02 15:04 UTC")) {
				t.Errorf("reason %q does not name the change point %v", p.Reason, s.Time(cp.Start))
			}
		})
	}
}

func TestCUSUMShiftEstimate(t *testing.T) {
	s := thresholdHourly(cusumStep(5, 600, 300, -30, false)...)
	cps, err := CUSUM{}.ChangePoints(s, 0)
	if err != nil || len(cps) != 1 {
		t.Fatalf("ChangePoints = %v, %v; want one", cps, err)
	}
	cp := cps[0]
	if math.Abs(cp.Shift+30) > 10 || math.Abs(cp.Expected-100) > 5 {
		t.Errorf("shift %v from expected %v, want about −30 from 100", cp.Shift, cp.Expected)
	}
	if !cp.Time.Equal(s.Time(cp.Index)) || !cp.StartTime.Equal(s.Time(cp.Start)) {
		t.Errorf("change point times %v, %v do not match its buckets", cp.Time, cp.StartTime)
	}
	pts, err := CUSUM{}.Detect(s, cp.Index)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("level %s lower since %s (%d buckets): about %s against the expected %s",
		cusumPercent(cp.Shift/cp.Expected), cp.StartTime.Format("2006-01-02 15:04 UTC"), cp.Index-cp.Start+1,
		cusumNumber(cp.Expected+cp.Shift), cusumNumber(cp.Expected))
	if pts[0].Reason != want {
		t.Errorf("reason %q, want %q", pts[0].Reason, want)
	}
}

// A drift of 0.3 sigma per day on an hourly series is found within days,
// and the alarm says the level is lower.
func TestCUSUMSlowDrift(t *testing.T) {
	const start = 24 * 20
	for _, period := range []int{0, 24} {
		for seed := uint64(1); seed <= 10; seed++ {
			t.Run(fmt.Sprintf("period %d seed %d", period, seed), func(t *testing.T) {
				v := thresholdNoise(seed+100, 24*40, 100, 10)
				for i := range v {
					if period > 0 {
						v[i] += 30 * math.Sin(2*math.Pi*float64(i%24)/24)
					}
					if i >= start {
						v[i] -= 10 * 0.3 * float64(i-start) / 24
					}
				}
				cps, err := CUSUM{Period: period}.ChangePoints(thresholdHourly(v...), 0)
				if err != nil {
					t.Fatal(err)
				}
				// A false alarm before the drift may happen (TestCUSUMFalseAlarmRate
				// bounds how often); the first drop after its start counts.
				for _, cp := range cps {
					if cp.Index >= start && cp.Shift < 0 {
						if cp.Index > start+6*24 {
							t.Errorf("first drop found at %d, %d buckets after the drift began, want within 6 days", cp.Index, cp.Index-start)
						}
						return
					}
				}
				t.Fatalf("ChangePoints = %v, found no drop in a drift of 6 sigmas over 20 days", cps)
			})
		}
	}
}

// On long stationary noise false alarms stay rare: the target is the rate
// of a single-bucket check at the same threshold, one in 15,787 buckets at
// medium and one in 370 at high sensitivity; the test allows three times
// that.
func TestCUSUMFalseAlarmRate(t *testing.T) {
	n, seeds := 50_000, uint64(5)
	if testing.Short() {
		seeds = 1
	}
	tests := []struct {
		name   string
		c      CUSUM
		daily  bool
		target float64
	}{
		{"medium", CUSUM{}, false, 15_787},
		{"medium, daily pattern", CUSUM{Period: 24}, true, 15_787},
		{"high", CUSUM{Guards: Guards{Threshold: ThresholdHigh}}, false, 370},
		{"high, daily pattern", CUSUM{Period: 24, Guards: Guards{Threshold: ThresholdHigh}}, true, 370},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alarms := 0
			for seed := range seeds {
				cps, err := tt.c.ChangePoints(thresholdHourly(cusumStep(seed+1, n, n, 0, tt.daily)...), 0)
				if err != nil {
					t.Fatal(err)
				}
				alarms += len(cps)
			}
			buckets := float64(n) * float64(seeds)
			if limit := 3 * buckets / tt.target; float64(alarms) > limit {
				t.Errorf("%d false alarms in %.0f buckets, want at most %.1f", alarms, buckets, limit)
			}
		})
	}
}

func TestCUSUMErrors(t *testing.T) {
	ok := thresholdHourly(make([]float64, 200)...)
	tests := []struct {
		name string
		c    CUSUM
		s    Series
		want string
	}{
		{"negative period", CUSUM{Period: -1}, ok, "period must be"},
		{"short window", CUSUM{Window: 5}, ok, "window must be at least 10"},
		{"window not whole seasons", CUSUM{Period: 24, Window: 60}, ok, "whole number of 24-bucket seasons"},
		{"window of one season", CUSUM{Period: 24, Window: 24}, ok, "at least two"},
		{"tiny period default window", CUSUM{Period: 2}, ok, "set a longer window"},
		{"negative k", CUSUM{K: -1}, ok, "allowance k"},
		{"NaN h", CUSUM{H: math.NaN()}, ok, "decision interval h"},
		{"bad guards", CUSUM{Guards: Guards{MinDelta: math.NaN()}}, ok, "min delta"},
		{"bad from", CUSUM{}, ok, "from 201 is outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := 0
			if strings.Contains(tt.want, "from") {
				from = 201
			}
			if _, err := tt.c.Detect(tt.s, from); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Detect error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	for _, n := range []int{0, 1, 83} {
		if _, err := (CUSUM{}).Detect(thresholdHourly(make([]float64, n)...), 0); !errors.Is(err, ErrNotEnoughData) {
			t.Errorf("Detect(%d points) error = %v, want ErrNotEnoughData", n, err)
		}
	}
	c, err := NewCUSUM(CUSUM{Period: 24})
	if err != nil || c.Window != 96 || c.K != 0.5 || math.Abs(c.H-cusumHLearnt(ThresholdMedium, 0.5, 96)) > 1e-12 {
		t.Errorf("NewCUSUM = %+v, %v; want window 96, k 0.5 and the derived h", c, err)
	}
}

func FuzzCUSUM(f *testing.F) {
	f.Add(thresholdFuzzBytes(1, 2, 3, math.NaN(), 1e12, -1e-9, 0, 5, 5, 5, 5, 5, 5, 5, 6, 7), 0, 10, 0.5, 0.0, 0, uint8(0))
	f.Add(thresholdFuzzBytes(math.Inf(1), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1e300, -1e300), 2, 12, 0.0, 3.0, 5, uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, period, window int, k, h float64, from int, dir uint8) {
		s := thresholdFuzzSeries(b)
		c := CUSUM{Period: period % 8, Window: window % 64, K: k, H: h, Guards: Guards{Direction: Direction(dir % 4)}}
		from = thresholdFuzzFrom(s, from)
		pts, err := c.Detect(s, from)
		if err != nil {
			return
		}
		thresholdCheckPoints(t, s, from, pts)
	})
}

func ExampleCUSUM() {
	// Three weeks of hourly orders, 1,000 ± 50, that sink by 5% from the
	// 15th day on: less than the noise, so no single hour stands out.
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]float64, 21*24)
	for i := range v {
		v[i] = 1000 + 50*r.NormFloat64()
		if i >= 14*24 {
			v[i] -= 50
		}
	}
	s := Series{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Step: time.Hour, Values: v}
	c, err := NewCUSUM(CUSUM{})
	if err != nil {
		fmt.Println(err)
		return
	}
	pts, err := c.Detect(s, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pts {
		if p.Anomaly {
			fmt.Println(p.Time.Format("Jan 2 15:04"), p.Reason)
		}
	}
	cps, err := c.ChangePoints(s, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cp := range cps {
		fmt.Printf("shift %.0f from bucket %d, found at bucket %d\n", cp.Shift, cp.Start, cp.Index)
	}
	// Output:
	// Nov 15 23:00 level 5.6% lower since 2026-11-14 23:00 UTC (25 buckets): about 951 against the expected 1,007
	// shift -56 from bucket 335, found at bucket 359
}
