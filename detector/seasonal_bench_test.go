package detector

import (
	"testing"
	"time"
)

// seasonalBenchCases are the configurations benchmarked: the default weekly
// baseline in UTC (fixed offset, the fast path) and in Europe/Berlin (offsets
// looked up per bucket), and the optional level and daily corrections.
var seasonalBenchCases = []struct {
	name, zone string
	m          Seasonal
}{
	{name: "UTC", zone: "UTC", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}},
	{name: "Berlin", zone: "Europe/Berlin", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8}},
	{name: "UTC-level-daily", zone: "UTC", m: Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Level: LevelScale, Daily: 3}},
}

// BenchmarkSeasonalHistory judges every point of a 10,000-point hourly
// history (about 60 weeks) against an 8-week baseline.
func BenchmarkSeasonalHistory(b *testing.B) {
	const n = 10_000
	for _, bc := range seasonalBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			s := seasonalSynth(seasonalMonday, seasonalLoad(b, bc.zone), n, 1000, 0.6, 0.03, 1)
			b.ReportAllocs()
			cpu0 := autoCPU()
			for b.Loop() {
				if _, err := bc.m.Detect(s, 0); err != nil {
					b.Fatal(err)
				}
			}
			autoReport(b, n*b.N, cpu0, "points")
		})
	}
}

// BenchmarkSeasonalLatest10k judges the latest point of each of 10,000
// hourly series of 2,000 points, as a scheduler run over many rules does.
// One op is all 10,000 series.
func BenchmarkSeasonalLatest10k(b *testing.B) {
	const series, n = 10_000, 2_000
	for _, bc := range seasonalBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			loc := seasonalLoad(b, bc.zone)
			all := make([]Series, series)
			for i := range all {
				start := seasonalMonday.Add(time.Duration(i%168) * time.Hour)
				all[i] = seasonalSynth(start, loc, n, 1000, 0.6, 0.03, uint64(i))
			}
			b.ReportAllocs()
			cpu0 := autoCPU()
			for b.Loop() {
				for _, s := range all {
					if _, err := bc.m.Detect(s, n-1); err != nil {
						b.Fatal(err)
					}
				}
			}
			autoReport(b, series*b.N, cpu0, "series")
		})
	}
}
