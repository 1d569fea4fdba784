package detector

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// TestSeasonalNoLookAhead checks that a point's verdict depends only on the
// data before it: judging from any index gives the same points as judging
// the whole series, and so does judging the last point of the series cut
// just after it.
func TestSeasonalNoLookAhead(t *testing.T) {
	berlin := seasonalLoad(t, "Europe/Berlin")
	utc := seasonalSynth(seasonalMonday, time.UTC, 10*168, 1000, 0.6, 0.03, 6)
	utc.Values[9*168+40] *= 2
	utc.Values[9*168+41] = math.NaN()
	dst := seasonalSynth(time.Date(2024, 1, 29, 0, 0, 0, 0, time.UTC), berlin, 10*168, 1000, 0.6, 0.03, 7)
	dst.Values[8*168+10] *= 0.3
	weighted := seasonalSynth(seasonalMonday, time.UTC, 10*168, 1000, 0.6, 0.03, 8)
	weighted.Weight = make([]float64, len(weighted.Values))
	for i := range weighted.Weight {
		weighted.Weight[i] = float64(i % 300)
	}
	tests := []struct {
		name string
		s    Series
		m    Seasonal
	}{
		{name: "weekly utc", s: utc, m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}},
		{name: "daily berlin across DST", s: dst, m: Seasonal{Period: 24 * time.Hour, Seasons: 14}},
		{name: "weighted min volume", s: weighted, m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 6, Guards: Guards{MinVolume: 150}}},
		{name: "level scale and daily across DST", s: dst, m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 4, Level: LevelScale, Daily: 3}},
		{name: "level shift", s: utc, m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 5, Level: LevelShift}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.s.Values)
			base := n - 3*168
			full, err := tt.m.Detect(tt.s, base)
			if err != nil {
				t.Fatal(err)
			}
			if !full[0].Judged() || !full[len(full)-1].Judged() {
				t.Fatalf("Detect(%s) leaves the range unjudged, want a test that compares verdicts", tt.name)
			}
			for _, from := range []int{base + 1, base + 100, n - 1, n} {
				pts, err := tt.m.Detect(tt.s, from)
				if err != nil {
					t.Fatal(err)
				}
				if len(pts) != n-from {
					t.Fatalf("Detect(%s, from %d) = %d points, want %d", tt.name, from, len(pts), n-from)
				}
				for i, p := range pts {
					if !seasonalPointEqual(p, full[from-base+i]) {
						t.Fatalf("Detect(%s, from %d) point %d = %+v, want %+v", tt.name, from, p.Index, p, full[from-base+i])
					}
				}
			}
			for i := base; i < n; i++ {
				cut := tt.s
				cut.Values = tt.s.Values[:i+1]
				if cut.Weight != nil {
					cut.Weight = tt.s.Weight[:i+1]
				}
				pts, err := tt.m.Detect(cut, i)
				if err != nil {
					t.Fatal(err)
				}
				if !seasonalPointEqual(pts[0], full[i-base]) {
					t.Fatalf("Detect(%s cut after %d) = %+v, want %+v", tt.name, i, pts[0], full[i-base])
				}
			}
		})
	}
}

func seasonalPointEqual(a, b Point) bool {
	same := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	return a.Index == b.Index && a.Time.Equal(b.Time) && same(a.Value, b.Value) && same(a.Expected, b.Expected) &&
		same(a.Lower, b.Lower) && same(a.Upper, b.Upper) && same(a.Score, b.Score) && same(a.Z, b.Z) &&
		a.Anomaly == b.Anomaly && a.Direction == b.Direction && a.Reason == b.Reason
}

// TestSeasonalConcurrent judges series from several goroutines with one
// Seasonal value; run with -race it shows that calls share no mutable state.
func TestSeasonalConcurrent(t *testing.T) {
	m := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Level: LevelScale, Daily: 2}
	berlin := seasonalLoad(t, "Europe/Berlin")
	series := make([]Series, 8)
	want := make([][]Point, len(series))
	for i := range series {
		series[i] = seasonalSynth(time.Date(2024, 1, 29, 0, 0, 0, 0, time.UTC), berlin, 10*168, 1000, 0.6, 0.03, uint64(20+i))
		series[i].Values[9*168+i*7] *= 2
		var err error
		if want[i], err = m.Detect(series[i], 9*168); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, len(series))
	for i := range series {
		go func() {
			got, err := m.Detect(series[i], 9*168)
			if err == nil && !slices.EqualFunc(got, want[i], seasonalPointEqual) {
				err = fmt.Errorf("Detect(series %d) concurrently differs from sequentially", i)
			}
			errs <- err
		}()
	}
	for range series {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestSeasonalHistory checks that History is enough: judging the last day
// of a series cut to History before that day gives the verdicts of the
// whole series, and a series cut shorter may not.
func TestSeasonalHistory(t *testing.T) {
	berlin := seasonalLoad(t, "Europe/Berlin")
	long := seasonalSynth(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), berlin, 20*168, 1000, 0.6, 0.03, 19)
	seasonalGrow(long, true, func(w float64) float64 { return math.Pow(1.02, w) })
	tests := []struct {
		name string
		m    Seasonal
	}{
		{name: "weekly, 8 seasons", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}},
		{name: "daily, 14 seasons", m: Seasonal{Period: 24 * time.Hour, Seasons: 14}},
		{name: "weekly, daily correction", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 6, Daily: 3}},
		{name: "weekly, no level", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 4, Level: LevelNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(long.Values)
			from := n - 24
			want, err := tt.m.Detect(long, from)
			if err != nil {
				t.Fatal(err)
			}
			h := int(tt.m.History(long.Step) / long.Step)
			if h <= 0 || h > from {
				t.Fatalf("History(%s) = %d buckets, want between 1 and %d", tt.name, h, from)
			}
			for _, extra := range []int{0, 1, 50} {
				cut := long
				cut.Start = long.Time(from - h - extra)
				cut.Values = long.Values[from-h-extra:]
				got, err := tt.m.Detect(cut, h+extra)
				if err != nil {
					t.Fatal(err)
				}
				for i := range got {
					w := want[i]
					w.Index -= from - h - extra
					if !seasonalPointEqual(got[i], w) {
						t.Fatalf("Detect(%s, %d buckets of history) point %d = %+v, want %+v", tt.name, h+extra, i, got[i], w)
					}
				}
			}
		})
	}
}
