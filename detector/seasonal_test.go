package detector

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// seasonalMonday is a Monday midnight UTC, the start of the synthetic series.
var seasonalMonday = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// seasonalSynth is an hourly series of n buckets from start with a daily
// pattern (low at night, high in the afternoon) and weekends at weekend×
// the weekday level, in local time of loc, around level, with seeded normal
// noise of relative size noise.
func seasonalSynth(start time.Time, loc *time.Location, n int, level, weekend, noise float64, seed uint64) Series {
	rng := rand.New(rand.NewPCG(seed, 0x5ea5))
	vals := make([]float64, n)
	for i := range vals {
		t := start.Add(time.Duration(i) * time.Hour).In(loc)
		vals[i] = level * seasonalShape(t, weekend) * (1 + noise*rng.NormFloat64())
	}
	return Series{Start: start, Step: time.Hour, Loc: loc, Values: vals}
}

func seasonalShape(t time.Time, weekend float64) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	v := 1 + 0.6*math.Sin(2*math.Pi*(h-9)/24)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		v *= weekend
	}
	return v
}

// seasonalAnomalies maps the index of each anomalous point to its direction.
func seasonalAnomalies(pts []Point) map[int]Direction {
	got := map[int]Direction{}
	for _, p := range pts {
		if p.Anomaly {
			got[p.Index] = p.Direction
		}
	}
	return got
}

func seasonalSame(got, want map[int]Direction) bool {
	if len(got) != len(want) {
		return false
	}
	for i, d := range want {
		if got[i] != d {
			return false
		}
	}
	return true
}

func TestSeasonalDetect(t *testing.T) {
	const weeks, week = 10, 168
	from := (weeks - 1) * week // judge the last week
	night := from + 50         // Wednesday 02:00, a low hour
	early := from + 100        // Friday 04:00
	peak := from + 15          // Monday 15:00, the daily peak
	weekly := func(g Guards) Seasonal { return Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Guards: g} }
	tests := []struct {
		name    string
		m       Seasonal
		weekend float64
		edit    func(v []float64)
		want    map[int]Direction
	}{
		{name: "quiet week", m: weekly(Guards{}), want: map[int]Direction{}},
		{name: "spike", m: weekly(Guards{}), edit: func(v []float64) { v[night] *= 1.5 }, want: map[int]Direction{night: Up}},
		{name: "dip", m: weekly(Guards{}), edit: func(v []float64) { v[early] *= 0.5 }, want: map[int]Direction{early: Down}},
		{name: "weekly dip", m: weekly(Guards{}), edit: func(v []float64) { v[peak] *= 0.6 }, want: map[int]Direction{peak: Down}},
		{name: "direction up", m: weekly(Guards{Direction: Up}), edit: func(v []float64) { v[night] *= 1.5; v[early] *= 0.5 },
			want: map[int]Direction{night: Up}},
		{name: "direction down", m: weekly(Guards{Direction: Down}), edit: func(v []float64) { v[night] *= 1.5; v[early] *= 0.5 },
			want: map[int]Direction{early: Down}},
		{name: "direction both", m: weekly(Guards{Direction: Both}), edit: func(v []float64) { v[night] *= 1.5; v[early] *= 0.5 },
			want: map[int]Direction{night: Up, early: Down}},
		// The night spike moves ~200, the peak spike ~3,200.
		{name: "min delta suppresses", m: weekly(Guards{MinDelta: 1000}), edit: func(v []float64) { v[night] *= 1.5; v[peak] *= 3 },
			want: map[int]Direction{peak: Up}},
		{name: "min relative delta suppresses", m: weekly(Guards{MinRelDelta: 0.6}), edit: func(v []float64) { v[night] *= 1.5; v[peak] *= 3 },
			want: map[int]Direction{peak: Up}},
		// Volume is max(actual, expected): ~630 at night, ~4,800 at the peak.
		{name: "min volume suppresses", m: weekly(Guards{MinVolume: 1000}), edit: func(v []float64) { v[night] *= 1.5; v[peak] *= 3 },
			want: map[int]Direction{peak: Up}},
		{name: "daily period without weekly pattern", m: Seasonal{Period: 24 * time.Hour, Seasons: 7}, weekend: 1,
			edit: func(v []float64) { v[night] *= 1.5 }, want: map[int]Direction{night: Up}},
		// A daily baseline on a series with quiet weekends sees each weekend
		// as a drop: the method is right to flag it, and the weekly period is
		// the cure (see "quiet week").
		{name: "daily period flags weekends", m: Seasonal{Period: 24 * time.Hour, Seasons: 7, Guards: Guards{Direction: Up}}, want: map[int]Direction{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			weekend := 0.6
			if tt.weekend != 0 {
				weekend = tt.weekend
			}
			s := seasonalSynth(seasonalMonday, time.UTC, weeks*week, 1000, weekend, 0.03, 1)
			if tt.edit != nil {
				tt.edit(s.Values)
			}
			pts, err := tt.m.Detect(s, from)
			if err != nil {
				t.Fatalf("Detect(%s): %v", tt.name, err)
			}
			if len(pts) != week {
				t.Fatalf("Detect(%s) = %d points, want %d", tt.name, len(pts), week)
			}
			if got := seasonalAnomalies(pts); !seasonalSame(got, tt.want) {
				t.Errorf("Detect(%s) = %d anomalies %v, want %d %v", tt.name, len(got), got, len(tt.want), tt.want)
			}
			for _, p := range pts {
				if !p.Judged() {
					t.Fatalf("Detect(%s): point %d not judged", tt.name, p.Index)
				}
				if p.Anomaly && !strings.Contains(p.Reason, "expected") {
					t.Errorf("Detect(%s): point %d reason %q", tt.name, p.Index, p.Reason)
				}
			}
		})
	}
}

// TestSeasonalWeekendsDown checks the counterpart of "daily period flags
// weekends": judged down only, a daily baseline flags the weekend hours. Its
// band is wide, since it is calibrated on the baseline's own errors and
// those include every past weekend, so the 40% drop of a Saturday is about
// 4 of its robust z-scores: the high sensitivity flags it.
func TestSeasonalWeekendsDown(t *testing.T) {
	s := seasonalSynth(seasonalMonday, time.UTC, 10*168, 1000, 0.6, 0.03, 1)
	m := Seasonal{Period: 24 * time.Hour, Seasons: 7, Guards: Guards{Direction: Down, Threshold: ThresholdHigh}}
	pts, err := m.Detect(s, 9*168)
	if err != nil {
		t.Fatal(err)
	}
	got := seasonalAnomalies(pts)
	// Saturday is compared with 5 weekdays and a Sunday: its daytime
	// hours, 40% down, must be flagged; no weekday hour may be.
	sat := 0
	for i := range got {
		wd := s.Time(i).Weekday()
		if wd != time.Saturday && wd != time.Sunday {
			t.Errorf("Detect(daily baseline, weekday %s) flagged", s.Time(i))
		}
		if wd == time.Saturday {
			sat++
		}
	}
	if sat < 12 {
		t.Errorf("Detect(daily baseline, Saturday) = %d anomalies, want at least 12", sat)
	}
}

func TestSeasonalSensitivityOrder(t *testing.T) {
	s := seasonalSynth(seasonalMonday, time.UTC, 10*168, 1000, 0.6, 0.03, 2)
	from := 9 * 168
	// Moves of 2 to 14 noise standard deviations at different hours.
	for k := 2; k <= 14; k++ {
		s.Values[from+k*11] *= 1 + 0.03*float64(k)
	}
	flagged := map[string]map[int]Direction{}
	for _, name := range []string{"low", "medium", "high"} {
		th, err := ParseSensitivity(name)
		if err != nil {
			t.Fatal(err)
		}
		pts, err := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Guards: Guards{Threshold: th}}.Detect(s, from)
		if err != nil {
			t.Fatal(err)
		}
		flagged[name] = seasonalAnomalies(pts)
	}
	for _, pair := range [][2]string{{"high", "medium"}, {"medium", "low"}} {
		for i := range flagged[pair[1]] {
			if _, ok := flagged[pair[0]][i]; !ok {
				t.Errorf("Detect(%s) misses point %d that %s flags", pair[0], i, pair[1])
			}
		}
	}
	if len(flagged["high"]) <= len(flagged["low"]) {
		t.Errorf("Detect(sensitivity) = high %d, low %d anomalies, want high > low", len(flagged["high"]), len(flagged["low"]))
	}
	if len(flagged["low"]) == 0 {
		t.Errorf("Detect(low sensitivity) = 0 anomalies, want the 14σ move")
	}
}

func TestSeasonalGaps(t *testing.T) {
	const week = 168
	from := 9 * week
	at := from + 60 // Wednesday 12:00
	tests := []struct {
		name        string
		edit        func(v []float64)
		wantJudged  bool
		wantAnomaly bool
	}{
		{name: "missing current point", edit: func(v []float64) { v[at] = math.NaN() }, wantJudged: true},
		{name: "infinite current point", edit: func(v []float64) { v[at] = math.Inf(1) }, wantJudged: true, wantAnomaly: true},
		{name: "half the history missing", edit: func(v []float64) {
			for k := 1; k <= 4; k++ {
				v[at-k*week] = math.NaN()
			}
			v[at] *= 1.5
		}, wantJudged: true, wantAnomaly: true},
		{name: "most history missing", edit: func(v []float64) {
			for k := 1; k <= 6; k++ {
				v[at-k*week] = math.NaN()
			}
			v[at] *= 1.5
		}},
		{name: "infinite history skipped", edit: func(v []float64) {
			for k := 1; k <= 3; k++ {
				v[at-k*week] = math.Inf(-1)
			}
			v[at] *= 1.5
		}, wantJudged: true, wantAnomaly: true},
		{name: "outliers in history", edit: func(v []float64) {
			for k := 1; k <= 3; k++ {
				v[at-k*week] *= 10
			}
		}, wantJudged: true},
		{name: "missing day a week ago", edit: func(v []float64) {
			for i := at - week - 12; i < at-week+12; i++ {
				v[i] = math.NaN()
			}
			v[at] *= 0.5
		}, wantJudged: true, wantAnomaly: true},
	}
	m := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := seasonalSynth(seasonalMonday, time.UTC, 10*week, 1000, 0.6, 0.03, 3)
			truth := 1000 * seasonalShape(s.Time(at), 0.6)
			tt.edit(s.Values)
			pts, err := m.Detect(s, from)
			if err != nil {
				t.Fatalf("Detect(%s): %v", tt.name, err)
			}
			p := pts[at-from]
			if p.Judged() != tt.wantJudged || p.Anomaly != tt.wantAnomaly {
				t.Fatalf("Detect(%s) = judged %v anomaly %v, want %v %v", tt.name, p.Judged(), p.Anomaly, tt.wantJudged, tt.wantAnomaly)
			}
			if !p.Judged() {
				if p.Score != 0 || !math.IsNaN(p.Lower) || !math.IsNaN(p.Upper) || p.Direction != None {
					t.Errorf("Detect(%s) = unjudged point %+v, want score 0, NaN band", tt.name, p)
				}
				return
			}
			// 6%: the median of 8 weeks with 3 outlying is the fifth of the
			// 5 clean ones, 4% above the truth on this seed, and the level
			// adjustment's growth, measured on noise of 3%, adds up to 1%.
			if math.Abs(p.Expected-truth) > 0.06*truth {
				t.Errorf("Detect(%s) expected %.1f, want %.1f ± 6%%", tt.name, p.Expected, truth)
			}
			if got := len(seasonalAnomalies(pts)); got != btoi(tt.wantAnomaly) {
				t.Errorf("Detect(%s) = %d anomalies, want %d", tt.name, got, btoi(tt.wantAnomaly))
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestSeasonalConstant(t *testing.T) {
	tests := []struct {
		name  string
		level float64
		last  float64
		want  Direction // None: not anomalous
	}{
		{name: "0.1% wiggle", level: 1000, last: 1001},
		{name: "0.1% dip", level: 1000, last: 999},
		{name: "5% break up", level: 1000, last: 1050, want: Up},
		{name: "5% break down", level: 1000, last: 950, want: Down},
		{name: "drop to zero", level: 1000, last: 0, want: Down},
		{name: "zeros stay zero", level: 0, last: 0},
		{name: "negative level wiggle", level: -200, last: -200.2},
		{name: "negative level break", level: -200, last: -150, want: Up},
	}
	m := Seasonal{Period: 24 * time.Hour, Seasons: 7}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := make([]float64, 8*24)
			for i := range v {
				v[i] = tt.level
			}
			v[len(v)-1] = tt.last
			s := Series{Start: seasonalMonday, Step: time.Hour, Values: v}
			pts, err := m.Detect(s, 7*24)
			if err != nil {
				t.Fatal(err)
			}
			if got := seasonalAnomalies(pts); !seasonalSame(got, seasonalWant(len(v)-1, tt.want)) {
				t.Errorf("Detect(constant, %s) = %d anomalies %v, want direction %s", tt.name, len(got), got, tt.want)
			}
			p := pts[len(pts)-1]
			if p.Expected != tt.level || math.IsNaN(p.Score) || p.Score < 0 || p.Score > 1 {
				t.Errorf("Detect(constant, %s) = expected %v score %v, want %v and a score in [0,1]", tt.name, p.Expected, p.Score, tt.level)
			}
		})
	}
}

func seasonalWant(i int, d Direction) map[int]Direction {
	if d == None {
		return map[int]Direction{}
	}
	return map[int]Direction{i: d}
}

func TestSeasonalMagnitudes(t *testing.T) {
	from := 9 * 168
	base := func(scale float64) []Point {
		s := seasonalSynth(seasonalMonday, time.UTC, 10*168, scale, 0.6, 0.03, 4)
		s.Values[from+30] *= 1.4
		s.Values[from+90] *= 0.6
		pts, err := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}.Detect(s, from)
		if err != nil {
			t.Fatal(err)
		}
		return pts
	}
	ref := base(1)
	if got := len(seasonalAnomalies(ref)); got != 2 {
		t.Fatalf("Detect(magnitude 1) = %d anomalies, want 2", got)
	}
	for _, scale := range []float64{1e12, 1e-9} {
		pts := base(scale)
		if got, want := seasonalAnomalies(pts), seasonalAnomalies(ref); !seasonalSame(got, want) {
			t.Errorf("Detect(magnitude %g) = anomalies %v, want %v", scale, got, want)
		}
		for i, p := range pts {
			r := ref[i]
			if math.Abs(p.Expected/scale-r.Expected) > 1e-9*math.Abs(r.Expected) ||
				math.Abs(p.Upper/scale-r.Upper) > 1e-9*math.Abs(r.Upper) ||
				math.Abs(p.Score-r.Score) > 1e-9 {
				t.Fatalf("Detect(magnitude %g) point %d = %v %v %v, want %v %v %v scaled", scale, p.Index,
					p.Expected, p.Upper, p.Score, r.Expected, r.Upper, r.Score)
			}
		}
	}
}

// TestSeasonalCalendar checks a daily calendar series with a weekly season:
// the same weekday is 7 buckets back, through a DST switch of its zone.
func TestSeasonalCalendar(t *testing.T) {
	loc := seasonalLoad(t, "America/New_York")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, loc) // a Monday
	v := make([]float64, 12*7)
	for i := range v {
		v[i] = []float64{100, 110, 120, 115, 130, 60, 50}[i%7] * (1 + 0.01*float64(i%3))
	}
	want := map[int]Direction{}
	// A Friday and a Thursday before the switch to summer time on 10 March,
	// a Saturday after it.
	for _, i := range []int{60, 66, 75} {
		v[i] *= 0.5
		want[i] = Down
	}
	s := Series{Start: start, Step: 24 * time.Hour, Loc: loc, Values: v}
	pts, err := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}.Detect(s, 56)
	if err != nil {
		t.Fatal(err)
	}
	if got := seasonalAnomalies(pts); !seasonalSame(got, want) {
		t.Errorf("Detect(calendar weekly) = %d anomalies %v, want %v", len(got), got, want)
	}
	for _, p := range pts {
		if p.Time.Hour() != 0 || p.Time.Weekday() != time.Weekday((p.Index+1)%7) {
			t.Errorf("Detect(calendar weekly) point %d at %s, want local midnight", p.Index, p.Time)
		}
		if want[p.Index] == None && math.Abs(p.Expected-v[p.Index]) > 0.03*v[p.Index] {
			t.Errorf("Detect(calendar weekly) point %d expected %v, want about %v", p.Index, p.Expected, v[p.Index])
		}
	}
}

func seasonalLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %s: %v", name, err)
	}
	return loc
}
