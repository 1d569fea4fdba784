package detector

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// seasonalOffice is an hourly series in loc whose values follow office hours
// in local time: 1,000 from 09:00 to 17:59, 100 otherwise, with 1% noise.
// Its sharp edges move by an hour in UTC when the clocks change.
func seasonalOffice(start time.Time, loc *time.Location, n int) Series {
	rng := rand.New(rand.NewPCG(5, 5))
	v := make([]float64, n)
	for i := range v {
		h := start.Add(time.Duration(i) * time.Hour).In(loc).Hour()
		v[i] = 100
		if h >= 9 && h < 18 {
			v[i] = 1000
		}
		v[i] *= 1 + 0.01*rng.NormFloat64()
	}
	return Series{Start: start, Step: time.Hour, Loc: loc, Values: v}
}

func TestSeasonalDST(t *testing.T) {
	berlin := seasonalLoad(t, "Europe/Berlin")
	tests := []struct {
		name   string
		start  time.Time // 10 days before the switch, local midnight
		period time.Duration
		days   int
	}{
		{name: "spring forward, daily", start: time.Date(2024, 3, 21, 0, 0, 0, 0, berlin), period: 24 * time.Hour, days: 20},
		{name: "fall back, daily", start: time.Date(2024, 10, 17, 0, 0, 0, 0, berlin), period: 24 * time.Hour, days: 20},
		{name: "spring forward, weekly", start: time.Date(2024, 2, 3, 0, 0, 0, 0, berlin), period: 7 * 24 * time.Hour, days: 70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := int(tt.start.AddDate(0, 0, tt.days).Sub(tt.start).Hours())
			s := seasonalOffice(tt.start, berlin, n)
			spike := n - 30 // a late-evening hour after the switch
			s.Values[spike] *= 3
			from := n - 10*24 // the switch lies in the judged range
			m := Seasonal{Period: tt.period, Seasons: 7}
			pts, err := m.Detect(s, from)
			if err != nil {
				t.Fatal(err)
			}
			if got := seasonalAnomalies(pts); !seasonalSame(got, map[int]Direction{spike: Up}) {
				t.Errorf("Detect(%s) = %d anomalies %v, want only the spike at %d", tt.name, len(got), got, spike)
			}
			for _, p := range pts {
				h := p.Time.In(berlin).Hour()
				want := 100.0
				if h >= 9 && h < 18 {
					want = 1000
				}
				if !p.Judged() || math.Abs(p.Expected-want) > 0.05*want {
					t.Fatalf("Detect(%s) at %s expected %v, want %v", tt.name, p.Time.In(berlin), p.Expected, want)
				}
			}
			// The same values with slots taken in UTC: the office hours move
			// by an hour at the switch and their edges are flagged. This is
			// what the zone-aware slots avoid.
			s.Loc = time.UTC
			pts, err = m.Detect(s, from)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(seasonalAnomalies(pts)); got < 3 {
				t.Errorf("Detect(%s, UTC slots) = %d anomalies, want the shifted edges flagged", tt.name, got)
			}
		})
	}
}

// TestSeasonalZoneSlots checks the slot of every bucket and season against
// an oracle built with the time package: the bucket whose local wall clock
// is the judged bucket's wall clock k seasons earlier; none when that local
// time was skipped; the one with the judged bucket's UTC offset when it
// occurred twice.
func TestSeasonalZoneSlots(t *testing.T) {
	tests := []struct {
		zone   string
		step   time.Duration
		period time.Duration
	}{
		{zone: "Europe/Berlin", step: time.Hour, period: 24 * time.Hour},
		{zone: "Europe/Berlin", step: 15 * time.Minute, period: 24 * time.Hour},
		{zone: "Europe/Berlin", step: time.Hour, period: 7 * 24 * time.Hour},
		{zone: "America/New_York", step: time.Hour, period: 24 * time.Hour},
		{zone: "Australia/Lord_Howe", step: 30 * time.Minute, period: 24 * time.Hour}, // 30-minute DST
		{zone: "America/Sao_Paulo", step: time.Hour, period: 24 * time.Hour},          // switches at midnight (2018)
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.step.String()+"/"+tt.period.String(), func(t *testing.T) {
			loc := seasonalLoad(t, tt.zone)
			start := time.Date(2017, 12, 1, 0, 0, 0, 0, time.UTC)
			n := int(400 * 24 * time.Hour / tt.step)
			s := Series{Start: start, Step: tt.step, Loc: loc, Values: make([]float64, n)}
			z := newSeasonalZone(s, 0, n)
			if z == nil {
				t.Fatalf("newSeasonalZone(%s) = nil, want offsets", tt.zone)
			}
			type wall struct {
				y, mo, d, h, mi int
			}
			at := map[wall][]int{}
			walls := make([]wall, n)
			for i := range n {
				lt := s.Time(i).In(loc)
				walls[i] = wall{lt.Year(), int(lt.Month()), lt.Day(), lt.Hour(), lt.Minute()}
				at[walls[i]] = append(at[walls[i]], i)
			}
			p := int(tt.period / tt.step)
			days := int(tt.period / (24 * time.Hour))
			checked, skipped := 0, 0
			for j := 3 * p; j < n; j++ {
				for k := 1; k <= 3 && j-k*p >= 0; k++ {
					w := walls[j]
					back := time.Date(w.y, time.Month(w.mo), w.d-k*days, 0, 0, 0, 0, time.UTC)
					key := wall{back.Year(), int(back.Month()), back.Day(), w.h, w.mi}
					want := -1
					for _, c := range at[key] {
						if want < 0 || z.off[c] == z.off[j] {
							want = c
						}
					}
					if got := z.slot(j, j-k*p); got != want {
						t.Fatalf("slot(%s, %d seasons back) = %d, want %d", s.Time(j).In(loc), k, got, want)
					}
					checked++
					if want < 0 {
						skipped++
					}
				}
			}
			if skipped == 0 || checked < n {
				t.Errorf("slot(%s): checked %d, %d skipped local times, want both", tt.zone, checked, skipped)
			}
		})
	}
}

func TestSeasonalFixedZone(t *testing.T) {
	tests := []struct {
		name string
		loc  *time.Location
		from time.Time
	}{
		{name: "UTC", loc: time.UTC, from: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "fixed +05:30", loc: time.FixedZone("IST", 5*3600+1800), from: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "Berlin in summer", loc: seasonalLoad(t, "Europe/Berlin"), from: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{name: "Tokyo", loc: seasonalLoad(t, "Asia/Tokyo"), from: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Series{Start: tt.from, Step: time.Hour, Loc: tt.loc, Values: make([]float64, 60*24)}
			if z := newSeasonalZone(s, 0, len(s.Values)); z != nil {
				t.Errorf("newSeasonalZone(%s) = offsets, want the fixed-offset path", tt.name)
			}
		})
	}
}
