package detector

import (
	"math"
	"strings"
	"testing"
)

// TestMethodsCheckGuards checks that every method refuses guards that
// would silently keep it from alerting: a NaN minimum volume never lets a
// point through, an unknown direction allows no side.
func TestMethodsCheckGuards(t *testing.T) {
	bad := []struct {
		name string
		g    Guards
		want string
	}{
		{"NaN threshold", Guards{Threshold: math.NaN()}, "threshold must be"},
		{"infinite threshold", Guards{Threshold: math.Inf(1)}, "threshold must be"},
		{"negative min delta", Guards{MinDelta: -1}, "min delta must be"},
		{"NaN min relative delta", Guards{MinRelDelta: math.NaN()}, "min relative delta must be"},
		{"NaN min volume", Guards{MinVolume: math.NaN()}, "min volume must be"},
		{"unknown direction", Guards{Direction: 9}, "unknown direction"},
	}
	build := map[string]func(Guards) error{
		"threshold":    func(g Guards) error { _, err := NewThreshold(Threshold{Upper: thresholdPtr(1), Guards: g}); return err },
		"change":       func(g Guards) error { _, err := NewChange(Change{Offset: 1, Max: 1, Guards: g}); return err },
		"cusum":        func(g Guards) error { _, err := NewCUSUM(CUSUM{Guards: g}); return err },
		"freshness":    func(g Guards) error { _, err := NewFreshness(Freshness{Guards: g}); return err },
		"stl":          func(g Guards) error { _, err := NewSTL(STL{Period: 24, Guards: g}); return err },
		"holt-winters": func(g Guards) error { _, err := NewHoltWinters(HoltWinters{Guards: g}); return err },
	}
	for method, b := range build {
		if err := b(Guards{Direction: Down, Threshold: 3, MinDelta: 1, MinRelDelta: 0.1, MinVolume: 5}); err != nil {
			t.Errorf("%s: good guards refused: %v", method, err)
		}
		for _, tt := range bad {
			err := b(tt.g)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s with %s: error %v, want one containing %q", method, tt.name, err, tt.want)
			}
		}
	}
}
