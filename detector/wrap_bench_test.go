package detector

import (
	"testing"
	"time"
)

// BenchmarkWrappers measures every wrapper around Change over a backtest
// of 10,000 hourly points with one hour a day muted and left out of the
// baselines, which Clean judges on their own.
//
//	go test ./detector -run '^$' -bench Wrappers -benchtime 20x -cpu 1
func BenchmarkWrappers(b *testing.B) {
	const n = 10_000
	s := thresholdHourly(thresholdNoise(3, n, 100, 5)...)
	night := func(t time.Time) bool { return t.Hour() == 3 }
	change := Change{Offset: 24, Periods: 4, Median: true, Relative: true, Max: 0.3}
	tests := []struct {
		name string
		d    Detector
	}{
		{"change alone", change},
		{"change wrapped", Mute(Consecutive(Missing(Clean(change, night), true), 3), night)},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := tt.d.Detect(s, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}
