package detector

import (
	"fmt"
	"math"
)

// This file holds the input checks that Threshold, Change, CUSUM and
// Freshness share. The names carry the threshold prefix so they cannot clash
// with helpers of the other methods in this package.

// thresholdCheckSeries reports input that no method can judge: an empty
// series, a step that is not positive, weights that do not match the values,
// or a from outside the series. An empty series wraps ErrNotEnoughData.
func thresholdCheckSeries(method string, s Series, from int) error {
	n := len(s.Values)
	switch {
	case n == 0:
		return fmt.Errorf("%s: empty series: %w", method, ErrNotEnoughData)
	case s.Step <= 0:
		return fmt.Errorf("%s: series step %v is not positive", method, s.Step)
	case s.Weight != nil && len(s.Weight) != n:
		return fmt.Errorf("%s: series has %d weights for %d values", method, len(s.Weight), n)
	case from < 0 || from > n:
		return fmt.Errorf("%s: from %d is outside the series (0 to %d)", method, from, n)
	}
	return nil
}

// thresholdCheckGuards reports guard settings that would make a method
// misbehave silently: NaN, infinite or negative limits and unknown
// directions.
func thresholdCheckGuards(method string, g Guards) error {
	if g.Direction < None || g.Direction > Both {
		return fmt.Errorf("%s: unknown direction %d", method, g.Direction)
	}
	limits := []struct {
		name string
		v    float64
	}{
		{"threshold", g.Threshold},
		{"min delta", g.MinDelta},
		{"min relative delta", g.MinRelDelta},
		{"min volume", g.MinVolume},
	}
	for _, l := range limits {
		if math.IsNaN(l.v) || math.IsInf(l.v, 0) || l.v < 0 {
			return fmt.Errorf("%s: %s must be a finite number of at least 0, got %v", method, l.name, l.v)
		}
	}
	return nil
}

// thresholdFinite reports whether x is neither NaN nor infinite.
func thresholdFinite(x float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0)
}
