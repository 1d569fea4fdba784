package detector

import (
	"math"
	"testing"
)

// Benchmarks shared by the threshold, change, cusum and freshness methods.
// Run them on one core, as the speed targets are stated per core:
//
//	go test ./detector -run '^$' -bench 'Threshold|Change|CUSUM|Freshness' -benchtime 2x -cpu 1
//
// "history" judges every point of one 10,000-point hourly series.
// "latest" judges only the newest point of 2,000-point series, as the engine
// does on each run, cycling through 64 different series; points/s is then
// judged points (one per series) per second, and ms/10k-series the time one
// core takes for the newest point of 10,000 such series.

const (
	thresholdBenchHistoryLen = 10_000
	thresholdBenchLatestLen  = 2_000
	thresholdBenchSeries     = 64
)

// thresholdBenchValues returns a daily-seasonal hourly series around 1,000
// with noise and a few gaps.
func thresholdBenchValues(seed uint64, n int) Series {
	return thresholdBenchSeasonal(seed, n, 200)
}

// thresholdBenchSeasonal returns an hourly series around 1,000 with noise,
// a daily pattern of the given amplitude and a few gaps.
func thresholdBenchSeasonal(seed uint64, n int, amplitude float64) Series {
	v := thresholdNoise(seed, n, 1000, 50)
	for i := range v {
		v[i] += amplitude * math.Sin(2*math.Pi*float64(i%24)/24)
		if i%997 == 13 {
			v[i] = math.NaN()
		}
	}
	return thresholdHourly(v...)
}

func thresholdBenchHistory(b *testing.B, d Detector) {
	thresholdBenchHistoryOf(b, d, thresholdBenchValues)
}

func thresholdBenchLatest(b *testing.B, d Detector) {
	thresholdBenchLatestOf(b, d, thresholdBenchValues)
}

func thresholdBenchHistoryOf(b *testing.B, d Detector, gen func(seed uint64, n int) Series) {
	s := gen(1, thresholdBenchHistoryLen)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Detect(s, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*float64(s.Len())/b.Elapsed().Seconds(), "points/s")
}

func thresholdBenchLatestOf(b *testing.B, d Detector, gen func(seed uint64, n int) Series) {
	series := make([]Series, thresholdBenchSeries)
	for i := range series {
		series[i] = gen(uint64(i+2), thresholdBenchLatestLen)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		s := series[n%len(series)]
		n++
		if _, err := d.Detect(s, s.Len()-1); err != nil {
			b.Fatal(err)
		}
	}
	perSec := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(perSec, "points/s")
	b.ReportMetric(10_000/perSec*1000, "ms/10k-series")
}

func BenchmarkThreshold(b *testing.B) {
	d := Threshold{Lower: thresholdPtr(500), Upper: thresholdPtr(1500)}
	b.Run("history", func(b *testing.B) { thresholdBenchHistory(b, d) })
	b.Run("latest", func(b *testing.B) { thresholdBenchLatest(b, d) })
}
