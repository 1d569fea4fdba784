package detector

import (
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"
	"time"
)

// update rewrites the golden files in testdata instead of comparing with them.

// goldenCase is one detector run whose full output is recorded.
type goldenCase struct {
	name string
	d    Detector
	s    Series
	from int
}

// goldenPoint is the output part of a Point, its floats written exactly
// ('g', -1 formats round-trip and NaN is spelled out, which JSON numbers
// cannot do). Index, Time and Value are checked against the input instead.
type goldenPoint struct {
	E, L, U, S, Z string
	A             bool      `json:",omitempty"`
	D             Direction `json:",omitempty"`
	R             string    `json:",omitempty"`
}

func goldenFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// goldenEncode encodes pts, checking the fields that echo the input.
func goldenEncode(t *testing.T, tc goldenCase, pts []Point) []goldenPoint {
	t.Helper()
	out := make([]goldenPoint, len(pts))
	for i, p := range pts {
		k := tc.from + i
		if p.Index != k || !p.Time.Equal(tc.s.Time(k)) || math.Float64bits(p.Value) != math.Float64bits(tc.s.Values[k]) {
			t.Errorf("%s: point %d has index %d, time %v, value %v; want %d, %v, %v",
				tc.name, i, p.Index, p.Time, p.Value, k, tc.s.Time(k), tc.s.Values[k])
		}
		out[i] = goldenPoint{E: goldenFloat(p.Expected), L: goldenFloat(p.Lower),
			U: goldenFloat(p.Upper), S: goldenFloat(p.Score), Z: goldenFloat(p.Z),
			A: p.Anomaly, D: p.Direction, R: p.Reason}
	}
	return out
}

// goldenGen is autoGen with damage: every gapEvery-th point from gapFrom
// missing (0 for none), a run of missing points, spikes, a level shift and
// an infinity.
type goldenGen struct {
	autoGen
	gapEvery, gapFrom int
	runAt, runLen     int
	spikes            map[int]float64
	shiftAt           int
	shift             float64
	infAt             int
}

func (g goldenGen) series() Series {
	s := g.autoGen.series()
	v := s.Values
	for i := range v {
		if g.shiftAt > 0 && i >= g.shiftAt {
			v[i] += g.shift
		}
		if g.gapEvery > 0 && i >= g.gapFrom && (i*7919)%g.gapEvery == 0 {
			v[i] = math.NaN()
		}
	}
	for i := g.runAt; i < g.runAt+g.runLen && i < len(v); i++ {
		v[i] = math.NaN()
	}
	for i, d := range g.spikes {
		v[i] += d
	}
	if g.infAt > 0 {
		v[g.infAt] = math.Inf(1)
	}
	return s
}

// goldenCheck runs every case and compares its points with the golden file,
// or rewrites the file under -update. Floats must match to the bit.
func goldenCheck(t *testing.T, file string, cases []goldenCase) {
	t.Helper()
	got := make(map[string][]goldenPoint, len(cases))
	for _, tc := range cases {
		pts, err := tc.d.Detect(tc.s, tc.from)
		if err != nil {
			t.Fatalf("%s: Detect error = %v", tc.name, err)
		}
		got[tc.name] = goldenEncode(t, tc, pts)
	}
	if *update {
		goldenWrite(t, file, got)
		return
	}
	want := goldenRead(t, file)
	if len(want) != len(cases) {
		t.Errorf("golden file has %d cases, the test %d; run with -update after adding one", len(want), len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := want[tc.name]
			if !ok {
				t.Fatalf("case missing from %s", file)
			}
			g := got[tc.name]
			if len(g) != len(w) {
				t.Fatalf("Detect returned %d points, want %d", len(g), len(w))
			}
			bad := 0
			for i := range g {
				if g[i] != w[i] {
					if bad < 3 {
						t.Errorf("point %d = %+v, want %+v", i, g[i], w[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d points differ", bad, len(g))
			}
		})
	}
}

func goldenWrite(t *testing.T, file string, got map[string][]goldenPoint) {
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.ModTime = time.Time{}
	if err := json.NewEncoder(zw).Encode(got); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func goldenRead(t *testing.T, file string) map[string][]goldenPoint {
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]goldenPoint
	if err := json.NewDecoder(zr).Decode(&want); err != nil {
		t.Fatal(err)
	}
	return want
}

// TestSTLGolden pins the full output of STL on hourly and daily series with
// trends, gaps, spikes and shifts, robust and not, for several periods and
// settings, so that speed work cannot change a verdict.
func TestSTLGolden(t *testing.T) {
	goldenCheck(t, "testdata/stl_golden.json.gz", stlGoldenCases())
}

func stlGoldenCases() []goldenCase {
	hourly := func(n int, seed uint64) goldenGen {
		return goldenGen{autoGen: autoGen{n: n, level: 500, daily: 150, weekly: 80, noise: 10, slope: 0.02, seed: seed}}
	}
	daily := goldenGen{autoGen: autoGen{n: 500, level: 2000, weekly: 300, noise: 40, slope: 1.5, step: 24 * time.Hour, seed: 5}}
	daily.daily = 0
	gappy := hourly(1000, 3)
	gappy.gapEvery, gappy.runAt, gappy.runLen = 10, 700, 30
	gappy.spikes = map[int]float64{900: 120, 960: -150}
	shifted := hourly(1000, 4)
	shifted.shiftAt, shifted.shift, shifted.infAt = 600, 200, 800
	shifted.spikes = map[int]float64{900: 90}
	spiky := hourly(2000, 6)
	spiky.spikes = map[int]float64{1500: 200, 1501: 180, 1700: -300, 1900: 60}
	mult := goldenGen{autoGen: autoGen{n: 900, level: 100, slope: 0.3, daily: 0.4, mult: true, noise: 3, seed: 7}}
	sparse := hourly(900, 8)
	sparse.gapEvery, sparse.gapFrom = 2, 100
	return []goldenCase{
		{"daily-p24-seed1", STL{Period: 24}, hourly(800, 1).series(), 0},
		{"daily-p24-seed2-nonrobust", STL{Period: 24, Robust: -1}, hourly(800, 2).series(), 0},
		{"daily-p24-robust3", STL{Period: 24, Robust: 3}, hourly(800, 2).series(), 0},
		{"weekly-p168", STL{Period: 168}, spiky.series(), 0},
		{"weekly-p168-seasons3-from", STL{Period: 168, Seasons: 3, Refit: 24}, spiky.series(), 1400},
		{"calendar-p7-trend", STL{Period: 7}, daily.series(), 0},
		{"calendar-p7-nonrobust-spans", STL{Period: 7, SeasonalSpan: 11, TrendSpan: 15, Robust: -1}, daily.series(), 0},
		{"gaps-p24", STL{Period: 24}, gappy.series(), 0},
		{"gaps-p24-refit5", STL{Period: 24, Refit: 5, Seasons: 4}, gappy.series(), 600},
		{"shift-inf-p24", STL{Period: 24, Guards: Guards{Threshold: 3}}, shifted.series(), 0},
		{"mult-p24-span13-trend41", STL{Period: 24, SeasonalSpan: 13, TrendSpan: 41}, mult.series(), 0},
		{"odd-p5", STL{Period: 5, Seasons: 8}, hourly(600, 9).series(), 0},
		{"p12-guards", STL{Period: 12, Guards: Guards{Direction: Down, MinDelta: 5}}, shifted.series(), 0},
		{"sparse-p24", STL{Period: 24}, sparse.series(), 0},
		{"p2", STL{Period: 2}, hourly(300, 10).series(), 0},
	}
}
