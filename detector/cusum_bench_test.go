package detector

import "testing"

func BenchmarkCUSUM(b *testing.B) {
	flat := CUSUM{}
	daily := CUSUM{Period: 24}
	b.Run("history", func(b *testing.B) { thresholdBenchHistory(b, flat) })
	b.Run("latest", func(b *testing.B) { thresholdBenchLatest(b, flat) })
	b.Run("history-daily", func(b *testing.B) { thresholdBenchHistory(b, daily) })
	b.Run("latest-daily", func(b *testing.B) { thresholdBenchLatest(b, daily) })
}
