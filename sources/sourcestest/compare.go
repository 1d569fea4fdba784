package sourcestest

import (
	"fmt"
	"math"
	"strings"

	"vigil/detector"
)

// Diff describes how got differs from want, or returns "" when they match:
// same start, step, zone and length, values and weights equal within a
// relative 1e-9 (sums of doubles differ in the last bits between engines),
// NaN only where NaN is wanted.
func Diff(got, want detector.Series) string {
	var d []string
	if !got.Start.Equal(want.Start) {
		d = append(d, fmt.Sprintf("start %s, want %s", got.Start, want.Start))
	}
	if got.Step != want.Step {
		d = append(d, fmt.Sprintf("step %v, want %v", got.Step, want.Step))
	}
	if got.Location().String() != want.Location().String() {
		d = append(d, fmt.Sprintf("zone %s, want %s", got.Location(), want.Location()))
	}
	d = append(d, diffValues("values", got, want, got.Values, want.Values)...)
	d = append(d, diffValues("weights", got, want, got.Weight, want.Weight)...)
	return strings.Join(d, "\n")
}

func diffValues(what string, got, want detector.Series, g, w []float64) []string {
	if len(g) != len(w) {
		return []string{fmt.Sprintf("%d %s, want %d", len(g), what, len(w))}
	}
	var d []string
	for i := range g {
		if !Close(g[i], w[i]) {
			d = append(d, fmt.Sprintf("%s[%d] (%s) = %v, want %v", what, i, want.Time(i).Format("2006-01-02 15:04 MST"), g[i], w[i]))
		}
		if len(d) == 10 {
			return append(d, "...")
		}
	}
	return d
}

// Close reports whether a and b are equal within a relative 1e-9, both NaN
// counting as equal.
func Close(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}
