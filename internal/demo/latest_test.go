package demo

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// latestStory measures the newest three settled hours (the latest
// incident's window) against the same hours of the previous eight weeks.
type latestStory struct {
	orders     []float64 // completed orders per hour: now/median of previous weeks
	belowAll   []bool    // whether each hour is below every previous week
	total      float64   // completed orders over the 3 hours: now/median
	revenue    spread    // order value over the 3 hours
	conversion spread    // checkout rate over the 3 hours
}

// spread places a value among the same hours of past weeks: its ratio to
// their median, and how far it lies outside their range (0 inside it,
// 0.1 for 10% above the highest or below the lowest).
type spread struct {
	ratio, outside float64
}

func spreadOf(now float64, past []float64) spread {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range past {
		lo, hi = math.Min(lo, p), math.Max(hi, p)
	}
	return spread{ratio: now / median(past), outside: math.Max(0, math.Max(now/hi-1, 1-now/lo))}
}

func measureLatest(t testing.TB, anchor time.Time) latestStory {
	tabs := Generate(anchor)
	orders, sessions := tableOf(t, tabs, "orders"), tableOf(t, tabs, "sessions")
	completed := hourly(orders, anchor, completed_, count)
	value := hourly(orders, anchor, nil, amount)
	visits := hourly(sessions, anchor, nil, sessionsOf)
	checkouts := hourly(sessions, anchor, nil, checkoutsOf)
	in := Incidents(anchor)[0]
	from, to := hourIndex(anchor, in.Start), hourIndex(anchor, in.End)
	var s latestStory
	for i := from; i < to; i++ {
		past := weeksBefore(8, i, i+1, func(a, b int) float64 { return sum(completed, a, b) })
		lowest := math.Inf(1)
		for _, p := range past {
			lowest = math.Min(lowest, p)
		}
		s.orders = append(s.orders, completed[i]/median(past))
		s.belowAll = append(s.belowAll, completed[i] < lowest)
	}
	all := func(a, b int) float64 { return sum(completed, a, b) }
	s.total = all(from, to) / median(weeksBefore(8, from, to, all))
	rev := func(a, b int) float64 { return sum(value, a, b) }
	conv := func(a, b int) float64 { return sum(checkouts, a, b) / sum(visits, a, b) }
	s.revenue = spreadOf(rev(from, to), weeksBefore(8, from, to, rev))
	s.conversion = spreadOf(conv(from, to), weeksBefore(8, from, to, conv))
	return s
}

// TestLatestIncidentTellsItsStory checks, at anchors around the clock, that
// completed orders drop clearly in every hour of the latest incident while
// order value and conversion stay within their usual range.
func TestLatestIncidentTellsItsStory(t *testing.T) {
	for h := 0; h < 24; h += 4 {
		anchor := testAnchor.Add(time.Duration(h+1) * time.Hour)
		t.Run(fmt.Sprintf("anchor %02d:00 UTC", anchor.Hour()), func(t *testing.T) {
			s := measureLatest(t, anchor)
			for i, r := range s.orders {
				if r > 0.85 || !s.belowAll[i] {
					t.Errorf("hour %d: completed orders at %.2f× the usual, below every past week: %v; want at most 0.85× and below all", i, r, s.belowAll[i])
				}
			}
			if s.total > 0.8 {
				t.Errorf("completed orders over the 3 hours at %.2f× the usual, want at most 0.8×", s.total)
			}
			for _, q := range []struct {
				name string
				s    spread
			}{{"order value", s.revenue}, {"conversion", s.conversion}} {
				// A new value lies outside the range of 8 past ones 2 times
				// in 9 by chance alone, and a night's revenue swings by
				// several percent: so allow a margin.
				if q.s.outside > 0.15 {
					t.Errorf("%s at %.2f× the usual, %.0f%% outside the range of the past 8 weeks; want inside it, give or take 15%%", q.name, q.s.ratio, q.s.outside*100)
				}
			}
		})
	}
}
