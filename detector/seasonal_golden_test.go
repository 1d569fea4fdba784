package detector

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// seasonalGoldenPath holds, for every case of seasonalGoldenCases, a digest
// of the full []Point that Detect returned and a few of the points in
// words, so that a change of the implementation that changes any bit of any
// verdict fails TestSeasonalGolden.
const seasonalGoldenPath = "testdata/seasonal_golden.txt"

// seasonalGoldenShape is one generator of seasonalGoldenSeries.
type seasonalGoldenShape struct {
	name string
	// value returns bucket i's value at local time t from a standard normal
	// draw z and a uniform draw u.
	value func(i int, t time.Time, z, u float64) float64
}

// seasonalGoldenShapes cover the data Seasonal meets: growing, shrinking,
// constant, negative and sign-changing, small counts (noise power ½),
// additive noise (power 0), and level steps with incidents.
var seasonalGoldenShapes = []seasonalGoldenShape{
	{name: "grow", value: func(i int, t time.Time, z, _ float64) float64 {
		return 1000 * seasonalShape(t, 0.6) * math.Pow(1.03, float64(i)/168) * (1 + 0.04*z)
	}},
	{name: "shrink", value: func(i int, t time.Time, z, _ float64) float64 {
		return 5e6 * seasonalShape(t, 0.3) * math.Pow(0.97, float64(i)/168) * (1 + 0.02*z)
	}},
	{name: "constant", value: func(i int, _ time.Time, _, u float64) float64 {
		if u < 0.003 {
			return 650
		}
		return 500
	}},
	{name: "negative", value: func(_ int, t time.Time, z, _ float64) float64 {
		return -200*seasonalShape(t, 0.8) + 5*z
	}},
	{name: "crossing", value: func(_ int, t time.Time, z, _ float64) float64 {
		return 40*seasonalShape(t, 0.5) - 45 + 6*z
	}},
	{name: "counts", value: func(_ int, t time.Time, z, _ float64) float64 {
		lam := 6 * seasonalShape(t, 0.5)
		return math.Max(0, math.Round(lam+math.Sqrt(lam)*z))
	}},
	{name: "additive", value: func(_ int, t time.Time, z, _ float64) float64 {
		return 20 + 10*seasonalShape(t, 1) + 0.8*z
	}},
	{name: "steps", value: func(i int, t time.Time, z, u float64) float64 {
		v := 300 * seasonalShape(t, 0.7) * (1 + 0.05*z)
		if i%900 > 700 {
			v *= 1.8 // a level that comes and goes
		}
		if u > 0.995 {
			v *= 3 // spikes
		}
		return v
	}},
}

// seasonalGoldenSeries is a series of shape sh, n buckets of step from
// start in loc, seeded by seed. gaps sets NaN runs and single NaN and ±Inf
// values; weight adds a weight (denominator) per bucket.
func seasonalGoldenSeries(sh seasonalGoldenShape, start time.Time, step time.Duration, loc *time.Location, n int, seed uint64, gaps, weight bool) Series {
	rng := rand.New(rand.NewPCG(seed, 0x901d))
	s := Series{Start: start, Step: step, Loc: loc, Values: make([]float64, n)}
	for i := range s.Values {
		// The shape's hour index counts hours, whatever the step.
		h := int(time.Duration(i) * step / time.Hour)
		s.Values[i] = sh.value(h, s.Time(i).In(loc), rng.NormFloat64(), rng.Float64())
	}
	if gaps {
		for k := 0; k < 6; k++ {
			a := rng.IntN(n)
			for j := a; j < min(n, a+1+rng.IntN(n/40+1)); j++ {
				s.Values[j] = math.NaN()
			}
		}
		for k := 0; k < n/50; k++ {
			s.Values[rng.IntN(n)] = math.NaN()
		}
		s.Values[rng.IntN(n)] = math.Inf(1)
		s.Values[rng.IntN(n)] = math.Inf(-1)
	}
	if weight {
		s.Weight = make([]float64, n)
		for i := range s.Weight {
			s.Weight[i] = float64(rng.IntN(400))
		}
	}
	return s
}

// seasonalGoldenCase is one call of Detect.
type seasonalGoldenCase struct {
	name string
	m    Seasonal
	s    Series
	from int
}

// seasonalGoldenCases builds the cases: every shape under several settings,
// hourly, sub-hourly, six-hourly and daily steps, UTC and zones with
// daylight saving (whose switches fall inside the series), gaps, weights,
// every Level, the daily correction, and judging from the start, the middle
// and the last bucket.
func seasonalGoldenCases(t testing.TB) []seasonalGoldenCase {
	berlin, howe := seasonalLoad(t, "Europe/Berlin"), seasonalLoad(t, "Australia/Lord_Howe")
	week, day := 7*24*time.Hour, 24*time.Hour
	type layout struct {
		name  string
		start time.Time
		step  time.Duration
		loc   *time.Location
		n     int
	}
	layouts := []layout{
		{name: "hourly-utc", start: seasonalMonday, step: time.Hour, loc: time.UTC, n: 2000},
		{name: "hourly-berlin-spring", start: time.Date(2024, 1, 8, 0, 0, 0, 0, berlin), step: time.Hour, loc: berlin, n: 2400},
		{name: "hourly-berlin-autumn", start: time.Date(2024, 8, 5, 13, 0, 0, 0, time.UTC), step: time.Hour, loc: berlin, n: 2200},
		{name: "15min-utc", start: seasonalMonday, step: 15 * time.Minute, loc: time.UTC, n: 6000},
		{name: "6h-howe", start: time.Date(2024, 2, 1, 0, 0, 0, 0, howe), step: 6 * time.Hour, loc: howe, n: 700},
		{name: "daily-utc", start: time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC), step: day, loc: time.UTC, n: 420},
		{name: "daily-berlin", start: time.Date(2023, 1, 2, 0, 0, 0, 0, berlin), step: day, loc: berlin, n: 400},
	}
	settings := []struct {
		name string
		m    Seasonal
	}{
		{name: "weekly8", m: Seasonal{Period: week, Seasons: 8}},
		{name: "weekly4-none", m: Seasonal{Period: week, Seasons: 4, Level: LevelNone}},
		{name: "weekly5-shift", m: Seasonal{Period: week, Seasons: 5, Level: LevelShift}},
		{name: "weekly8-scale", m: Seasonal{Period: week, Seasons: 8, Level: LevelScale, Guards: Guards{Threshold: ThresholdHigh, Direction: Up}}},
		{name: "weekly6-daily3", m: Seasonal{Period: week, Seasons: 6, Daily: 3}},
		{name: "weekly3-scale-daily2", m: Seasonal{Period: week, Seasons: 3, Level: LevelScale, Daily: 2, Guards: Guards{MinRelDelta: 0.05}}},
		{name: "daily14", m: Seasonal{Period: day, Seasons: 14, Guards: Guards{Threshold: ThresholdLow, Direction: Down}}},
		{name: "daily7-shift", m: Seasonal{Period: day, Seasons: 7, Level: LevelShift, Guards: Guards{MinDelta: 3}}},
		{name: "daily64-scale", m: Seasonal{Period: day, Seasons: 64, Level: LevelScale}},
		{name: "weekly12-minvolume", m: Seasonal{Period: week, Seasons: 12, Guards: Guards{MinVolume: 150}}},
	}
	var cases []seasonalGoldenCase
	for li, l := range layouts {
		for si, sh := range seasonalGoldenShapes {
			seed := uint64(100*li + si)
			gaps, weight := (li+si)%3 == 0, (li+si)%4 == 1
			s := seasonalGoldenSeries(sh, l.start, l.step, l.loc, l.n, seed, gaps, weight)
			for _, st := range settings {
				m := st.m
				if m.Threshold == 0 {
					m.Threshold = ThresholdMedium
				}
				if m.Direction == None {
					m.Direction = Both
				}
				if m.Period%l.step != 0 || m.Daily > 0 && (s.Calendar() && l.step != day || day%l.step != 0) {
					continue
				}
				if m.Seasons*int(m.Period/l.step) >= l.n-1 {
					continue // not enough data for any verdict
				}
				name := fmt.Sprintf("%s/%s/%s", l.name, sh.name, st.name)
				for _, from := range []int{0, l.n / 2, l.n - 1} {
					cases = append(cases, seasonalGoldenCase{name: fmt.Sprintf("%s/from=%d", name, from), m: m, s: s, from: from})
				}
			}
		}
	}
	return cases
}

// seasonalGoldenLine writes p in full: every float with the shortest
// representation that reads back to the same bits.
func seasonalGoldenLine(w io.Writer, p Point) {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	fmt.Fprintf(w, "%d %s %s %s %s %s %s %s %t %s %q\n", p.Index, p.Time.UTC().Format(time.RFC3339Nano),
		f(p.Value), f(p.Expected), f(p.Lower), f(p.Upper), f(p.Score), f(p.Z), p.Anomaly, p.Direction, p.Reason)
}

// seasonalGoldenRecord is the golden text of one case: a header with the
// counts and the digest of every point, then the first and last judged
// points and the one with the largest |Z|.
func seasonalGoldenRecord(name string, pts []Point) string {
	h := sha256.New()
	judged, anomalies, first, last, top := 0, 0, -1, -1, -1
	for i, p := range pts {
		seasonalGoldenLine(h, p)
		if !p.Judged() {
			continue
		}
		judged++
		anomalies += seasonalCount(p.Anomaly)
		if first < 0 {
			first = i
		}
		last = i
		if top < 0 || math.Abs(p.Z) > math.Abs(pts[top].Z) {
			top = i
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "case %s points=%d judged=%d anomalies=%d sha256=%s\n", name, len(pts), judged, anomalies, hex.EncodeToString(h.Sum(nil))[:32])
	for _, i := range []int{first, last, top} {
		if i >= 0 {
			b.WriteString("  ")
			seasonalGoldenLine(&b, pts[i])
		}
	}
	return b.String()
}

// TestSeasonalGolden compares the verdicts of seasonalGoldenCases with the
// golden file bit for bit; -update rewrites it.
func TestSeasonalGolden(t *testing.T) {
	cases := seasonalGoldenCases(t)
	got := make([]string, len(cases))
	judged := 0
	for i, c := range cases {
		pts, err := c.m.Detect(c.s, c.from)
		if err != nil {
			got[i] = fmt.Sprintf("case %s error=%q\n", c.name, err)
			continue
		}
		got[i] = seasonalGoldenRecord(c.name, pts)
		for _, p := range pts {
			judged += seasonalCount(p.Judged())
		}
	}
	if judged == 0 {
		t.Fatal("no case judged a point")
	}
	if *update {
		if err := os.WriteFile(seasonalGoldenPath, []byte(strings.Join(got, "")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := seasonalGoldenRead(seasonalGoldenPath)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if len(want) != len(cases) {
		t.Fatalf("golden file has %d cases, the test %d: run with -update if the cases changed", len(want), len(cases))
	}
	bad := 0
	for i, c := range cases {
		if got[i] != want[i] {
			bad++
			if bad <= 5 {
				t.Errorf("case %s:\ngot\n%swant\n%s", c.name, got[i], want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ from %s", bad, len(cases), seasonalGoldenPath)
	}
}

// seasonalGoldenRead splits the golden file into the records of its cases.
func seasonalGoldenRead(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("golden file: %w", err)
	}
	defer f.Close()
	var recs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text() + "\n"
		if strings.HasPrefix(line, "case ") || len(recs) == 0 {
			recs = append(recs, line)
			continue
		}
		recs[len(recs)-1] += line
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("golden file %s: %w", path, err)
	}
	return recs, nil
}
