package detector

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestChoose(t *testing.T) {
	walk := autoGen{n: 24 * 7 * 6, level: 1000, noise: 10, seed: 5}.series()
	for i := 1; i < len(walk.Values); i++ {
		walk.Values[i] = walk.Values[i-1] + walk.Values[i] - 1000
	}
	tests := []struct {
		name        string
		s           Series
		seasonality string
		period      int
		method      string
		why         string // substring of Why
	}{
		{name: "weekly hourly", s: autoGen{n: 24 * 7 * 6, level: 500, daily: 100, weekly: 80, noise: 10, seed: 1}.series(),
			seasonality: "weekly", period: 168, method: "seasonal", why: "weekly seasonality (autocorrelation 0."},
		{name: "daily hourly", s: autoGen{n: 24 * 7 * 6, level: 500, daily: 100, noise: 10, seed: 2}.series(),
			seasonality: "daily", period: 24, method: "seasonal", why: "at 24 h), trend weak"},
		{name: "white noise", s: autoGen{n: 24 * 7 * 6, level: 500, noise: 10, seed: 3}.series(),
			seasonality: "none", period: 0, method: "cusum", why: "no seasonality (autocorrelation"},
		{name: "weekly daily steps", s: autoGen{n: 7 * 30, level: 500, weekly: 80, noise: 10, step: 24 * time.Hour, seed: 4}.series(),
			seasonality: "weekly", period: 7, method: "seasonal", why: "at 7 d)"},
		{name: "strong trend with season", s: autoGen{n: 24 * 7 * 6, level: 500, slope: 1, daily: 100, noise: 10, seed: 6}.series(),
			seasonality: "daily", period: 24, method: "holtwinters", why: "trend strong"},
		{name: "random walk", s: walk, seasonality: "none", period: 0, method: "holtwinters", why: "trend strong"},
		{name: "short", s: Series{Step: time.Hour, Values: []float64{1, 2, 3}}, seasonality: "none", method: "cusum", why: "too little history (3 buckets)"},
		{name: "empty", s: Series{Step: time.Hour}, seasonality: "none", method: "cusum", why: "too little history (0 buckets)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Choose(tc.s)
			if c.Seasonality != tc.seasonality || c.Period != tc.period || c.Method != tc.method || !strings.Contains(c.Why, tc.why) {
				t.Fatalf("Choose = %+v, want %s/%d/%s with why containing %q", c, tc.seasonality, tc.period, tc.method, tc.why)
			}
		})
	}
}

// TestChooseWhiteNoiseRarelySeasonal bounds how often Choose sees a season
// in white noise of different lengths.
func TestChooseWhiteNoiseRarelySeasonal(t *testing.T) {
	seasonal := 0
	const runs = 60
	for seed := range uint64(runs) {
		n := 24 * 7 * (3 + int(seed%5))
		if c := Choose(autoGen{n: n, level: 100, noise: 5, seed: 100 + seed}.series()); c.Seasonality != "none" {
			seasonal++
		}
	}
	if seasonal > 2 {
		t.Errorf("Choose saw a season in %d of %d white-noise series, want ≤ 2", seasonal, runs)
	}
	weekly := 0
	for seed := range uint64(runs) {
		g := autoGen{n: 24 * 7 * (3 + int(seed%5)), level: 100, daily: 3, noise: 5, seed: 200 + seed}
		if c := Choose(g.series()); c.Seasonality == "weekly" {
			weekly++
		}
	}
	if weekly > 2 {
		t.Errorf("Choose saw a week in %d of %d purely daily series, want ≤ 2", weekly, runs)
	}
}

func TestChooseWithGaps(t *testing.T) {
	s := autoGen{n: 24 * 7 * 6, level: 500, daily: 100, weekly: 80, noise: 10, seed: 1}.series()
	for i := range s.Values {
		if i%5 == 0 {
			s.Values[i] = math.NaN()
		}
	}
	if c := Choose(s); c.Seasonality != "weekly" {
		t.Errorf("Choose(weekly with gaps) = %+v, want weekly", c)
	}
}

func TestAutoDetect(t *testing.T) {
	s := autoGen{n: 24 * 7 * 8, level: 500, slope: 1, daily: 100, noise: 10, seed: 6}.series()
	n := len(s.Values)
	s.Values[n-5] += 100
	pts, err := Auto{}.Detect(s, n-24)
	if err != nil {
		t.Fatalf("Auto.Detect: %v", err)
	}
	if got := autoAnomalies(pts); len(got) != 1 || got[0] != n-5 {
		t.Errorf("Auto.Detect anomalies = %v, want [%d]", got, n-5)
	}
	want, _ := HoltWinters{Period: 24}.Detect(s, n-24)
	for i := range pts {
		if !autoSame(pts[i], want[i]) {
			t.Fatalf("Auto point %d = %+v, want Holt-Winters' %+v", pts[i].Index, pts[i], want[i])
		}
	}

	flat := autoGen{n: 500, level: 100, noise: 5, seed: 8}.series()
	if _, err := (Auto{}).Detect(flat, 400); err == nil || !strings.Contains(err.Error(), `no builder for method "cusum"`) {
		t.Errorf("Auto.Detect(flat) without a cusum builder error = %v", err)
	}
	var built Choice
	fake := func(c Choice, g Guards) (Detector, error) {
		built = c
		return DetectorFunc(func(s Series, from int) ([]Point, error) { return nil, nil }), nil
	}
	if _, err := (Auto{Build: fake}).Detect(flat, 400); err != nil || built.Method != "cusum" {
		t.Errorf("Auto.Detect(flat) built %+v, %v; want cusum", built, err)
	}
	if _, err := (Auto{}).Detect(flat, 0); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("Auto.Detect(from 0) error = %v, want ErrNotEnoughData", err)
	}
	if _, err := (Auto{}).Detect(flat, 501); err == nil {
		t.Errorf("Auto.Detect(from past the end) returned no error")
	}
}

func TestAutoMovingAverage(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	tests := []struct {
		width int
		want  []float64
		off   int
	}{
		{width: 3, want: []float64{2, 3, 4, 5, 6, 7}, off: 1},
		{width: 4, want: []float64{3, 4, 5, 6}, off: 2}, // ½,1,1,1,½ weights on a line
	}
	for _, tc := range tests {
		got, off := autoMovingAverage(v, tc.width)
		if off != tc.off || len(got) != len(tc.want) {
			t.Fatalf("autoMovingAverage(width %d) = %v at %d, want %v at %d", tc.width, got, off, tc.want, tc.off)
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12 {
				t.Fatalf("autoMovingAverage(width %d) = %v, want %v", tc.width, got, tc.want)
			}
		}
	}
	if r := autoACF([]float64{1, -1, 1, -1, 1, -1}, 2); math.Abs(r-4.0/6) > 1e-12 {
		t.Errorf("autoACF(alternating, 2) = %v, want 0.667", r)
	}
}

func FuzzChoose(f *testing.F) {
	f.Add([]byte("\x05\x06\x07\x08\x05\x06\x07\x08\x05\x06\x07\x08\x00\x09\x05\x06\x07\x08\x05\x06\x07\x08"), int64(time.Hour))
	f.Fuzz(func(t *testing.T, data []byte, step int64) {
		c := Choose(Series{Start: autoStart, Step: time.Duration(step), Values: autoFuzzValues(data)})
		if c.Method == "" || c.Why == "" || (c.Period == 0) != (c.Seasonality == "none") {
			t.Fatalf("Choose = %+v", c)
		}
	})
}
