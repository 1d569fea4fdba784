package detector

import (
	"testing"
	"time"
)

// BenchmarkSeasonalHistory judges every point of a 10,000-point hourly
// history (about 60 weeks) against an 8-week baseline, in UTC (fixed offset,
// the fast path) and in Europe/Berlin (offsets looked up per bucket).
func BenchmarkSeasonalHistory(b *testing.B) {
	const n = 10_000
	m := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}
	for _, zone := range []string{"UTC", "Europe/Berlin"} {
		b.Run(zone, func(b *testing.B) {
			loc := seasonalLoad(b, zone)
			s := seasonalSynth(seasonalMonday, loc, n, 1000, 0.6, 0.03, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := m.Detect(s, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// BenchmarkSeasonalLatest10k judges the latest point of each of 10,000
// hourly series of 2,000 points, as a scheduler run over many rules does.
// One op is all 10,000 series.
func BenchmarkSeasonalLatest10k(b *testing.B) {
	const series, n = 10_000, 2_000
	m := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}
	for _, zone := range []string{"UTC", "Europe/Berlin"} {
		b.Run(zone, func(b *testing.B) {
			loc := seasonalLoad(b, zone)
			all := make([]Series, series)
			for i := range all {
				start := seasonalMonday.Add(time.Duration(i%168) * time.Hour)
				all[i] = seasonalSynth(start, loc, n, 1000, 0.6, 0.03, uint64(i))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for _, s := range all {
					if _, err := m.Detect(s, n-1); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(series)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}
