package demo

import (
	"math"
	"slices"
	"testing"
	"time"
)

// testAnchor is a Monday noon, so the newest hours fall in Brazil's morning.
var testAnchor = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// row is one generated row with its columns by name.
type row map[string]any

// tableOf returns the named table of tabs, failing the test when absent.
func tableOf(t testing.TB, tabs []Table, name string) Table {
	t.Helper()
	for _, tab := range tabs {
		if tab.Name == name {
			return tab
		}
	}
	t.Fatalf("Generate: no table %q", name)
	return Table{}
}

// hourly sums f over the rows of tab that match keep, per hour of the data
// ending at anchor. time is the name of the time column.
func hourly(tab Table, anchor time.Time, keep func(row) bool, f func(row) float64) []float64 {
	start := anchor.Add(-History)
	out := make([]float64, int(History/time.Hour))
	r := make(row, len(tab.Columns))
	for _, values := range tab.Rows {
		for i, c := range tab.Columns {
			r[c] = values[i]
		}
		if keep != nil && !keep(r) {
			continue
		}
		at := values[0].(time.Time)
		out[int(at.Sub(start)/time.Hour)] += f(r)
	}
	return out
}

func count(row) float64         { return 1 }
func amount(r row) float64      { return r["amount"].(float64) }
func sessionsOf(r row) float64  { return float64(r["sessions"].(int64)) }
func checkoutsOf(r row) float64 { return float64(r["checkouts"].(int64)) }

// where keeps the rows whose columns equal the given values.
func where(kv ...string) func(row) bool {
	return func(r row) bool {
		for i := 0; i < len(kv); i += 2 {
			if r[kv[i]] != kv[i+1] {
				return false
			}
		}
		return true
	}
}

// hourIndex is the position of the hour starting at t in hourly's output.
func hourIndex(anchor, t time.Time) int { return int(t.Sub(anchor.Add(-History)) / time.Hour) }

// sum adds xs[from:to].
func sum(xs []float64, from, to int) float64 {
	var s float64
	for _, x := range xs[from:to] {
		s += x
	}
	return s
}

// median returns the median of xs, NaN when empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// weeksBefore returns f(from-168k, to-168k) for k = 1..weeks: the same
// hours of the previous weeks.
func weeksBefore(weeks, from, to int, f func(from, to int) float64) []float64 {
	out := make([]float64, 0, weeks)
	for k := 1; k <= weeks; k++ {
		out = append(out, f(from-168*k, to-168*k))
	}
	return out
}

// autocorr is the sample autocorrelation of xs at lag.
func autocorr(xs []float64, lag int) float64 {
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var num, den float64
	for i, x := range xs {
		den += (x - mean) * (x - mean)
		if i >= lag {
			num += (x - mean) * (xs[i-lag] - mean)
		}
	}
	return num / den
}
