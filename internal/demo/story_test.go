package demo

import (
	"math"
	"testing"
	"time"
)

var completed_ = where("status", "completed")

func TestSeasonality(t *testing.T) {
	orders := tableOf(t, generated(), "orders")
	total := hourly(orders, testAnchor, completed_, count)
	// Leave out the newest week, which holds the latest incident.
	series := total[:len(total)-168]
	tests := []struct {
		name string
		lag  int
		min  float64
	}{
		{name: "daily", lag: 24, min: 0.6},
		{name: "weekly", lag: 168, min: 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := autocorr(series, tt.lag); got < tt.min {
				t.Errorf("autocorrelation at lag %d = %.2f, want at least %.2f", tt.lag, got, tt.min)
			}
		})
	}
	t.Run("half a day apart", func(t *testing.T) {
		if got := autocorr(series, 12); got > 0 {
			t.Errorf("autocorrelation at lag 12 = %.2f, want negative (day against night)", got)
		}
	})
}

func TestWeekendEffect(t *testing.T) {
	orders := tableOf(t, generated(), "orders")
	tests := []struct {
		name     string
		platform string
		up       bool // more orders at the weekend
	}{
		{name: "web shops less at the weekend", platform: "web", up: false},
		{name: "android shops more at the weekend", platform: "android", up: true},
	}
	brt := time.FixedZone("BRT", -3*3600)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var weekend, weekday, nWeekend, nWeekday float64
			for _, r := range orders.Rows {
				if r[1] != "BR" || r[2] != tt.platform {
					continue
				}
				switch r[0].(time.Time).In(brt).Weekday() {
				case time.Saturday, time.Sunday:
					weekend++
				default:
					weekday++
				}
			}
			nWeekend, nWeekday = 2, 5
			ratio := (weekend / nWeekend) / (weekday / nWeekday)
			if tt.up != (ratio > 1.03) || !tt.up && ratio > 0.9 {
				t.Errorf("weekend/weekday orders per day = %.2f, want clearly %s one", ratio, map[bool]string{true: "above", false: "below"}[tt.up])
			}
		})
	}
}

func TestPeakFollowsLocalTime(t *testing.T) {
	orders := tableOf(t, generated(), "orders")
	tests := []struct {
		country string
		peakUTC int // local evening peak (20:00-21:00) in UTC
	}{
		{country: "BR", peakUTC: 23},
		{country: "DE", peakUTC: 19},
		{country: "JP", peakUTC: 11},
	}
	for _, tt := range tests {
		t.Run(tt.country, func(t *testing.T) {
			var byHour [24]float64
			for _, r := range orders.Rows {
				if r[1] == tt.country {
					byHour[r[0].(time.Time).Hour()]++
				}
			}
			peak := 0
			for h := range byHour {
				if byHour[h] > byHour[peak] {
					peak = h
				}
			}
			if d := (peak - tt.peakUTC + 24) % 24; d > 1 && d < 23 {
				t.Errorf("%s orders peak at %02d:00 UTC, want %02d:00 ± 1h", tt.country, peak, tt.peakUTC)
			}
		})
	}
}

func TestGrowth(t *testing.T) {
	total := hourly(tableOf(t, generated(), "orders"), testAnchor, nil, count)
	first, last := sum(total, 0, 168), sum(total, len(total)-2*168, len(total)-168)
	if g := last / first; g < 1.01 || g > 1.12 {
		t.Errorf("orders grew ×%.3f from the first week to the last full normal week, want a mild ×1.01 to ×1.12", g)
	}
}

// weekOverWeek compares a metric over [start, end) with the same hours a
// week earlier. With hourly set it returns the smallest and largest of the
// hour by hour ratios, otherwise the ratio of the window's totals twice. A
// ratio metric is num/den, a plain one num (den nil).
func weekOverWeek(anchor, start, end time.Time, num, den []float64, hourly bool) (lo, hi float64) {
	from, to := hourIndex(anchor, start), hourIndex(anchor, end)
	value := func(from, to int) float64 {
		if den == nil {
			return sum(num, from, to)
		}
		return sum(num, from, to) / sum(den, from, to)
	}
	if !hourly {
		r := value(from, to) / value(from-168, to-168)
		return r, r
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := from; i < to; i++ {
		r := value(i, i+1) / value(i-168, i-167)
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	return lo, hi
}

func TestIncidentsVisible(t *testing.T) {
	tabs := generated()
	orders, sessions := tableOf(t, tabs, "orders"), tableOf(t, tabs, "sessions")
	incidents := Incidents(testAnchor)
	if len(incidents) != 4 {
		t.Fatalf("Incidents returned %d incidents, want 4", len(incidents))
	}
	type check struct {
		what         string
		num, den     []float64
		hourly       bool    // every hour, not only the window as a whole
		minLo, maxHi float64 // bounds on the week-over-week ratios
	}
	seg := func(in Incident, extra ...string) func(row) bool {
		var kv []string
		for k, v := range in.Segment {
			kv = append(kv, k, v)
		}
		return where(append(kv, extra...)...)
	}
	checks := map[string]func(in Incident) []check{
		"orders/orders/BR/android": func(in Incident) []check {
			return []check{
				{"segment completed orders", hourly(orders, testAnchor, seg(in, "status", "completed"), count), nil, true, 0, 0.3},
				{"total completed orders", hourly(orders, testAnchor, completed_, count), nil, true, 0, 0.85},
				{"segment orders placed", hourly(orders, testAnchor, seg(in), count), nil, false, 0.85, 1.15},
			}
		},
		"revenue/orders/paid": func(in Incident) []check {
			return []check{
				{"segment value", hourly(orders, testAnchor, seg(in), amount), nil, true, 2, math.Inf(1)},
				{"total value", hourly(orders, testAnchor, nil, amount), nil, true, 1.25, math.Inf(1)},
				{"segment orders placed", hourly(orders, testAnchor, seg(in), count), nil, false, 0.85, 1.15},
			}
		},
		"conversion/sessions/ios": func(in Incident) []check {
			return []check{
				{"segment checkout rate", hourly(sessions, testAnchor, seg(in), checkoutsOf), hourly(sessions, testAnchor, seg(in), sessionsOf), true, 0, 0.6},
				{"segment sessions", hourly(sessions, testAnchor, seg(in), sessionsOf), nil, false, 0.9, 1.1},
				{"total checkout rate", hourly(sessions, testAnchor, nil, checkoutsOf), hourly(sessions, testAnchor, nil, sessionsOf), false, 0, 0.9},
			}
		},
		"orders/orders/ios": func(in Incident) []check {
			return []check{
				{"segment completed orders", hourly(orders, testAnchor, seg(in, "status", "completed"), count), nil, false, 0, 0.6},
			}
		},
	}
	for _, in := range incidents {
		key := in.Metric + "/" + in.Table
		for _, k := range []string{"country", "platform", "channel"} {
			if v, ok := in.Segment[k]; ok {
				key += "/" + v
			}
		}
		t.Run(key, func(t *testing.T) {
			if !in.Start.Before(in.End) || in.Start.Before(testAnchor.Add(-History+168*time.Hour)) || in.End.After(testAnchor) {
				t.Fatalf("window [%v, %v) is empty or leaves no week before it inside the data", in.Start, in.End)
			}
			f, ok := checks[key]
			if !ok {
				t.Fatalf("no check for incident %q", key)
			}
			for _, c := range f(in) {
				lo, hi := weekOverWeek(testAnchor, in.Start, in.End, c.num, c.den, c.hourly)
				if lo < c.minLo || hi > c.maxHi {
					t.Errorf("%s: week-over-week ratios in [%.2f, %.2f], want within [%.2f, %.2f]", c.what, lo, hi, c.minLo, c.maxHi)
				}
			}
		})
	}
}

func TestIncidentWindows(t *testing.T) {
	in := Incidents(testAnchor.Add(17 * time.Minute))
	latest := in[0]
	if want := testAnchor.Add(-time.Hour); !latest.End.Equal(want) || latest.End.Sub(latest.Start) != 3*time.Hour {
		t.Errorf("latest incident [%v, %v), want the 3 hours ending at %v", latest.Start, latest.End, want)
	}
	brt := time.FixedZone("BRT", -3*3600)
	if s := in[2].Start.In(brt); s.Hour() != 0 || in[2].End.Sub(in[2].Start) != 24*time.Hour {
		t.Errorf("conversion incident starts %v and lasts %v, want one whole Brasília day", s, in[2].End.Sub(in[2].Start))
	}
	for _, i := range in[1:] {
		if d := testAnchor.Sub(i.Start); d < 20*24*time.Hour || d > 40*24*time.Hour {
			t.Errorf("past incident %s %v starts %v before the anchor, want three to six weeks", i.Metric, i.Segment, d)
		}
	}
}

// TestPastIncidentsKeepOutOfTheLatestBaseline checks, for anchors at every
// hour of a week, that no past incident touches the same hours of the past
// eight weeks as the latest incident: they would bend its baseline.
func TestPastIncidentsKeepOutOfTheLatestBaseline(t *testing.T) {
	for h := range 168 {
		anchor := testAnchor.Add(time.Duration(h) * time.Hour)
		in := Incidents(anchor)
		latest := in[0]
		for k := 1; k <= 8; k++ {
			back := time.Duration(k) * 168 * time.Hour
			from, to := latest.Start.Add(-back), latest.End.Add(-back)
			for _, p := range in[1:] {
				if p.Start.Before(to) && from.Before(p.End) {
					t.Fatalf("anchor %v: %s incident [%v, %v) overlaps the latest hours %d weeks back [%v, %v)", anchor, p.Metric, p.Start, p.End, k, from, to)
				}
			}
		}
	}
}
