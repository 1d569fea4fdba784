package detector

import (
	"testing"
	"time"
)

// BenchmarkCompletenessJudge judges the newest buckets of eight weeks of an
// hourly metric probed up to a max_wait of 12 hours, the work one
// evaluation does.
func BenchmarkCompletenessJudge(b *testing.B) {
	c := Completeness{Min: 0.95, MaxWait: 12 * time.Hour}
	sim := completeWorld{buckets: 24 * 56, volume: daily(50), lag: exponentialLag(40 * time.Minute), into: 10 * time.Minute, seed: 1}.run()
	probes, from := sim.probes(c.MaxWait)
	s, a := sim.series(), sim.arrivals(probes)
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Judge(s, a, from); err != nil {
			b.Fatal(err)
		}
	}
}
