package detector

import (
	"testing"
	"time"
)

// TestHoltWintersGolden pins the full output of HoltWinters, additive and
// multiplicative, with and without a season, fitted and fixed parameters,
// on hourly and daily series with trends, gaps, spikes and shifts, so that
// speed work cannot change a verdict.
func TestHoltWintersGolden(t *testing.T) {
	goldenCheck(t, "testdata/holtwinters_golden.json.gz", hwGoldenCases())
}

func hwGoldenCases() []goldenCase {
	hourly := func(n int, seed uint64) goldenGen {
		return goldenGen{autoGen: autoGen{n: n, level: 500, daily: 150, weekly: 80, noise: 10, slope: 0.02, seed: seed}}
	}
	mult := func(n int, seed uint64) goldenGen {
		return goldenGen{autoGen: autoGen{n: n, level: 100, slope: 0.1, daily: 0.4, weekly: 0.2, mult: true, noise: 3, seed: seed}}
	}
	daily := goldenGen{autoGen: autoGen{n: 600, level: 2000, weekly: 300, noise: 40, slope: 1.5, step: 24 * time.Hour, seed: 5}}
	daily.daily = 0
	gappy := hourly(1000, 3)
	gappy.gapEvery, gappy.runAt, gappy.runLen = 10, 700, 30
	gappy.spikes = map[int]float64{900: 120, 960: -150}
	shifted := hourly(1000, 4)
	shifted.shiftAt, shifted.shift, shifted.infAt = 700, 200, 850
	shifted.spikes = map[int]float64{950: 90}
	multGaps := mult(900, 6)
	multGaps.gapEvery, multGaps.runAt, multGaps.runLen = 7, 500, 12
	multGaps.spikes = map[int]float64{800: 40}
	flat := goldenGen{autoGen: autoGen{n: 800, level: 100, slope: 0.05, noise: 2, seed: 8}}
	flat.spikes = map[int]float64{600: 20}
	flat.shiftAt, flat.shift = 700, 15
	return []goldenCase{
		{"add-p24-seed1", HoltWinters{Period: 24}, hourly(800, 1).series(), 0},
		{"add-p24-seed2-refit24", HoltWinters{Period: 24, Refit: 24}, hourly(900, 2).series(), 0},
		{"add-p168", HoltWinters{Period: 168}, hourly(1700, 9).series(), 1100},
		{"mult-p24", HoltWinters{Period: 24, Multiplicative: true}, mult(800, 1).series(), 0},
		{"mult-p24-gaps-refit50", HoltWinters{Period: 24, Multiplicative: true, Refit: 50}, multGaps.series(), 0},
		{"mult-p24-fixed-alpha", HoltWinters{Period: 24, Multiplicative: true, Alpha: 0.2}, mult(800, 2).series(), 0},
		{"add-p24-fixed-all", HoltWinters{Period: 24, Alpha: 0.3, Beta: 0.01, Gamma: 0.2}, hourly(800, 3).series(), 0},
		{"add-p24-gaps", HoltWinters{Period: 24}, gappy.series(), 0},
		{"add-p24-shift-inf-window100", HoltWinters{Period: 24, Window: 100, Refit: 30}, shifted.series(), 0},
		{"add-p24-guards", HoltWinters{Period: 24, Guards: Guards{Direction: Up, Threshold: 3, MinRelDelta: 0.05}}, shifted.series(), 0},
		{"calendar-p7-trend", HoltWinters{Period: 7}, daily.series(), 0},
		{"calendar-p7-mult", HoltWinters{Period: 7, Multiplicative: true, Refit: 20}, daily.series(), 0},
		{"flat-no-season", HoltWinters{}, flat.series(), 0},
		{"flat-no-season-beta-refit10", HoltWinters{Beta: 0.02, Window: 60, Refit: 10}, flat.series(), 0},
		{"odd-p5", HoltWinters{Period: 5, Refit: 13}, hourly(500, 10).series(), 0},
	}
}
