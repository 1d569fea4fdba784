package detector

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// seasonalGrow applies growth to s: each value times f(weeks since start)
// when scale, plus f(weeks) otherwise.
func seasonalGrow(s Series, scale bool, f func(weeks float64) float64) {
	for i := range s.Values {
		w := float64(i) / 168
		if scale {
			s.Values[i] *= f(w)
		} else {
			s.Values[i] += f(w)
		}
	}
}

func TestSeasonalLevel(t *testing.T) {
	const weeks = 12
	from := (weeks - 1) * 168
	dip := from + 24 + 10 // Tuesday 10:00 to 15:59
	tests := []struct {
		name  string
		level LevelAdjust
		scale bool
		grow  func(w float64) float64
	}{
		{name: "scale, 4% a week", level: LevelScale, scale: true, grow: func(w float64) float64 { return math.Pow(1.04, w) }},
		{name: "shift, +40 a week", level: LevelShift, grow: func(w float64) float64 { return 40 * w }},
		{name: "scale, 2% a week", level: LevelScale, scale: true, grow: func(w float64) float64 { return math.Pow(1.02, w) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			truth := seasonalSynth(seasonalMonday, time.UTC, weeks*168, 1000, 0.6, 0, 0)
			seasonalGrow(truth, tt.scale, tt.grow)
			s := seasonalSynth(seasonalMonday, time.UTC, weeks*168, 1000, 0.6, 0.01, 9)
			seasonalGrow(s, tt.scale, tt.grow)
			m := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Level: tt.level}
			pts, err := m.Detect(s, from)
			if err != nil {
				t.Fatal(err)
			}
			if got := seasonalAnomalies(pts); len(got) != 0 {
				t.Errorf("Detect(%s) = %d anomalies %v, want 0", tt.name, len(got), got)
			}
			if e := seasonalMeanRelErr(pts, truth); e > 0.02 {
				t.Errorf("Detect(%s) expected values off by %.1f%% on average, want < 2%%", tt.name, 100*e)
			}
			m.Level = LevelNone
			plain, err := m.Detect(s, from)
			if err != nil {
				t.Fatal(err)
			}
			if e, a := seasonalMeanRelErr(plain, truth), seasonalMeanRelErr(pts, truth); e < 2*a {
				t.Errorf("Detect(%s, no level) expected values off by %.1f%%, want well above the %.1f%% of the adjusted ones", tt.name, 100*e, 100*a)
			}

			// A real dip of 15% for six hours.
			for i := dip; i < dip+6; i++ {
				s.Values[i] = 0.85 * truth.Values[i]
			}
			m.Level = tt.level
			pts, err = m.Detect(s, from)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int]Direction{}
			for i := dip; i < dip+6; i++ {
				want[i] = Down
			}
			if got := seasonalAnomalies(pts); !seasonalSame(got, want) {
				t.Errorf("Detect(%s, 15%% dip) = %d anomalies %v, want the 6 dip hours", tt.name, len(got), got)
			}
			m.Level = LevelNone
			plain, err = m.Detect(s, from)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(seasonalAnomalies(plain)); n >= 6 {
				t.Errorf("Detect(%s, 15%% dip, no level) = %d anomalies, want fewer than with the level adjustment", tt.name, n)
			}
		})
	}
}

// seasonalMeanRelErr is the mean of |expected/truth - 1| over judged points.
func seasonalMeanRelErr(pts []Point, truth Series) float64 {
	var sum float64
	n := 0
	for _, p := range pts {
		if p.Judged() {
			sum += math.Abs(p.Expected/truth.Values[p.Index] - 1)
			n++
		}
	}
	return sum / float64(n)
}

func TestSeasonalLevelScaleNeedsPositive(t *testing.T) {
	s := seasonalSynth(seasonalMonday, time.UTC, 10*168, -1000, 0.6, 0.01, 10)
	pts, err := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Level: LevelScale}.Detect(s, 9*168)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pts {
		if p.Judged() || p.Anomaly {
			t.Fatalf("Detect(negative level, scale) point %d judged %v, want not judged", p.Index, p.Expected)
		}
	}
	pts, err = Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Level: LevelShift}.Detect(s, 9*168)
	if err != nil || !pts[0].Judged() {
		t.Fatalf("Detect(negative level, shift) = %v, %v, want judged points", len(pts), err)
	}
}

func TestSeasonalDaily(t *testing.T) {
	const weeks, days = 10, 4
	n := weeks * 168
	step := n - days*24 // the level steps up by 25% for the last four days
	tests := []struct {
		name  string
		daily int
		loc   string
		want  [days]bool // whether each day after the step is flagged
	}{
		{name: "weekly only", want: [days]bool{true, true, true, true}},
		{name: "daily 1", daily: 1, want: [days]bool{true, false, false, false}},
		{name: "daily 3", daily: 3, want: [days]bool{true, true, false, false}},
		{name: "daily 5", daily: 5, want: [days]bool{true, true, true, false}},
		{name: "daily 3 across DST", daily: 3, loc: "Europe/Berlin", want: [days]bool{true, true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, start := time.UTC, seasonalMonday
			if tt.loc != "" {
				loc = seasonalLoad(t, tt.loc)
				start = time.Date(2024, 1, 22, 0, 0, 0, 0, loc) // the step straddles 31 March
			}
			s := seasonalSynth(start, loc, n, 1000, 1, 0.02, 11)
			for i := step; i < n; i++ {
				s.Values[i] *= 1.25
			}
			// LevelNone: the level adjustment would follow the step too,
			// after about half a week (see TestSeasonalLevelFollows).
			m := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Daily: tt.daily, Level: LevelNone}
			pts, err := m.Detect(s, step-24)
			if err != nil {
				t.Fatal(err)
			}
			var perDay [days]int
			for i, d := range seasonalAnomalies(pts) {
				if i < step || d != Up {
					t.Errorf("Detect(%s) flags %d %s before the step", tt.name, i, d)
					continue
				}
				perDay[(i-step)/24]++
			}
			for d, want := range tt.want {
				// A flagged day has most of its hours flagged; a day the
				// baseline has caught up with has none.
				if got := perDay[d]; want && got <= 12 || !want && got > 0 {
					t.Errorf("Detect(%s) day %d after the step = %d anomalies, want flagged %v", tt.name, d+1, got, want)
				}
			}
		})
	}
}

func TestSeasonalDailyDip(t *testing.T) {
	s := seasonalSynth(seasonalMonday, time.UTC, 10*168, 1000, 0.6, 0.03, 12)
	at := 10*168 - 30
	s.Values[at] *= 0.5
	pts, err := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Daily: 3, Level: LevelScale}.Detect(s, 9*168)
	if err != nil {
		t.Fatal(err)
	}
	if got := seasonalAnomalies(pts); !seasonalSame(got, map[int]Direction{at: Down}) {
		t.Errorf("Detect(daily and level, dip) = %d anomalies %v, want the dip at %d", len(got), got, at)
	}
}

func TestSeasonalOptionErrors(t *testing.T) {
	s := Series{Start: seasonalMonday, Step: time.Hour, Values: make([]float64, 10*168)}
	tests := []struct {
		name string
		m    Seasonal
		s    Series
		want string
	}{
		{name: "daily with a daily period", m: Seasonal{Period: 24 * time.Hour, Seasons: 7, Daily: 2}, s: s, want: "weekly period"},
		{name: "daily of a week", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 7, Daily: 7}, s: s, want: "between 0 and 6"},
		{name: "unknown level", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 7, Level: 9}, s: s, want: "level"},
		{name: "daily on 7h steps", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 3, Daily: 2},
			s: Series{Step: 7 * time.Hour, Values: make([]float64, 200)}, want: "divides a day"},
		{name: "daily on weekly steps", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 3, Daily: 2},
			s: Series{Step: 7 * 24 * time.Hour, Values: make([]float64, 200)}, want: "divides a day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.m.Detect(tt.s, 0); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Detect(%s) error %v, want it to contain %q", tt.name, err, tt.want)
			}
		})
	}
}

// TestSeasonalLevelAuto checks when the default adjustment applies: on a
// growing positive series it gives LevelScale's verdicts once the growth is
// known for every slot of the residual window (16 weeks: 1 of growth, 8 of
// slots, 4 of window); on a series that is never positive, with the daily
// correction, and on daily data it gives LevelNone's.
func TestSeasonalLevelAuto(t *testing.T) {
	weekly := 7 * 24 * time.Hour
	growing := seasonalSynth(seasonalMonday, time.UTC, 16*168, 1000, 0.6, 0.02, 13)
	seasonalGrow(growing, true, func(w float64) float64 { return math.Pow(1.03, w) })
	negative := seasonalSynth(seasonalMonday, time.UTC, 12*168, -1000, 0.6, 0.02, 14)
	days := make([]float64, 20*7)
	for i := range days {
		days[i] = 100 * math.Pow(1.01, float64(i)) * (1 + 0.02*float64(i*7%5))
	}
	daily := Series{Start: seasonalMonday, Step: 24 * time.Hour, Values: days}
	tests := []struct {
		name string
		s    Series
		m    Seasonal
		same LevelAdjust // the explicit adjustment auto must equal
	}{
		{name: "growing", s: growing, m: Seasonal{Period: weekly, Seasons: 8}, same: LevelScale},
		{name: "negative", s: negative, m: Seasonal{Period: weekly, Seasons: 8}, same: LevelNone},
		{name: "with daily correction", s: growing, m: Seasonal{Period: weekly, Seasons: 8, Daily: 3}, same: LevelNone},
		{name: "daily data", s: daily, m: Seasonal{Period: weekly, Seasons: 8}, same: LevelNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := len(tt.s.Values) - len(tt.s.Values)/16
			auto, err := tt.m.Detect(tt.s, from)
			if err != nil {
				t.Fatal(err)
			}
			m := tt.m
			m.Level = tt.same
			want, err := m.Detect(tt.s, from)
			if err != nil {
				t.Fatal(err)
			}
			for i := range auto {
				if !seasonalPointEqual(auto[i], want[i]) {
					t.Fatalf("Detect(%s, auto) point %d = %+v, want %+v as with %s", tt.name, auto[i].Index, auto[i], want[i], tt.same)
				}
			}
		})
	}
}

// TestSeasonalLevelFollows checks the trade-off of the level adjustment: a
// step of +25% that persists is flagged for its first days, and once the
// growth measured over a week has followed it (after about half a week) it
// is the new normal.
func TestSeasonalLevelFollows(t *testing.T) {
	s := seasonalSynth(seasonalMonday, time.UTC, 12*168, 1000, 0.6, 0.02, 15)
	step := 11 * 168
	for i := step; i < len(s.Values); i++ {
		s.Values[i] *= 1.25
	}
	pts, err := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}.Detect(s, step)
	if err != nil {
		t.Fatal(err)
	}
	var perDay [7]int
	for i := range seasonalAnomalies(pts) {
		perDay[(i-step)/24]++
	}
	if perDay[0] < 20 || perDay[1] < 20 {
		t.Errorf("Detect(+25%% step) flags %v hours per day, want most hours of the first two days", perDay)
	}
	if perDay[5]+perDay[6] > 0 {
		t.Errorf("Detect(+25%% step) flags %v hours per day, want none in the last two days of the week", perDay)
	}
}

// TestSeasonalMedianIns checks the median of the daily residuals against
// inserting them one by one and taking the middle, bit for bit, on zeros of
// both signs, ties and infinities, for one to six values.
func TestSeasonalMedianIns(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 16))
	pool := []float64{math.Copysign(0, -1), 0, -1, 1, 2.5, math.Inf(1), math.Inf(-1)}
	for n := 1; n <= seasonalMaxDaily; n++ {
		for range 5000 {
			x := make([]float64, n)
			ref := make([]float64, n)
			for i := range x {
				x[i] = pool[rng.IntN(len(pool))]
				ref[i] = x[i]
				seasonalInsert(ref[:i+1], x[i])
			}
			want := seasonalMid(ref[(n-1)/2], ref[n/2])
			in := slices.Clone(x)
			if got := seasonalMedianIns(x); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("seasonalMedianIns(%v) = %v, want %v", in, got, want)
			}
		}
	}
}
