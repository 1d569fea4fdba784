package detector

import "testing"

// BenchmarkCUSUM runs CUSUM with a daily period on the daily-seasonal
// benchmark series, and without a period on the same series without its
// daily pattern.
func BenchmarkCUSUM(b *testing.B) {
	daily := CUSUM{Period: 24}
	flat := CUSUM{}
	noPattern := func(seed uint64, n int) Series { return thresholdBenchSeasonal(seed, n, 0) }
	b.Run("history", func(b *testing.B) { thresholdBenchHistory(b, daily) })
	b.Run("latest", func(b *testing.B) { thresholdBenchLatest(b, daily) })
	b.Run("history-flat", func(b *testing.B) { thresholdBenchHistoryOf(b, flat, noPattern) })
	b.Run("latest-flat", func(b *testing.B) { thresholdBenchLatestOf(b, flat, noPattern) })
}
