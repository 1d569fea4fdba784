package detector

import (
	"math"
	"testing"
	"time"
)

// FuzzWrappers runs every wrapper, in the order the methods package builds
// them, on arbitrary series, mute and exclusion patterns, and checks what
// each promises.
func FuzzWrappers(f *testing.F) {
	nan := math.NaN()
	f.Add(thresholdFuzzBytes(5, 11, 12, 13, nan, -1, -2, nan, nan, 5), uint8(3), 2, true, uint64(0x0f0f))
	f.Add(thresholdFuzzBytes(0, 1, 2, 3, 100, 100, 100, 0), uint8(2), 0, false, uint64(1<<4|1<<37))
	f.Add(thresholdFuzzBytes(math.Inf(1), nan, -0.0, 1e308, -1e308), uint8(7), 3, true, ^uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, n uint8, from int, alert bool, mask uint64) {
		s := thresholdFuzzSeries(data)
		if s.Len() == 0 || s.Len() > 300 {
			return
		}
		from = thresholdFuzzFrom(s, from)
		runs := int(n % 6)
		bit := func(b time.Time, shift int) bool {
			i, _ := s.Index(b)
			return mask>>((i+shift)%64)&1 == 1
		}
		muted := func(b time.Time) bool { return bit(b, 0) }
		excluded := func(b time.Time) bool { return bit(b, 32) }
		var inner Detector = Change{Offset: 1, Periods: 2, Max: 3}
		if n%2 == 1 {
			inner = wrapBounds()
		}
		base := Missing(Clean(inner, excluded), alert)
		d := Mute(Consecutive(base, runs), muted)
		pts, err := d.Detect(s, from)
		_, refErr := inner.Detect(s, from)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("Detect() error %v, the method alone %v", err, refErr)
		}
		if err != nil {
			return
		}
		unmuted, err := base.Detect(s, 0)
		if err != nil {
			t.Fatalf("Detect(from 0) error %v after Detect(from %d) succeeded", err, from)
		}
		wrapFuzzCheck(t, s, from, pts, unmuted, runs, alert, muted)
		if s.Len() > from {
			last := s.Len() - 1
			one, err := d.Detect(s, last)
			if err != nil || len(one) != 1 || !thresholdSamePoint(one[0], pts[last-from]) {
				t.Fatalf("latest point judged alone = %+v, %v; judged from %d = %+v", one, err, from, pts[last-from])
			}
		}
	})
}

// wrapFuzzCheck checks the composed verdicts pts against the verdicts
// before Consecutive and Mute.
func wrapFuzzCheck(t *testing.T, s Series, from int, pts, unmuted []Point, runs int, alert bool, muted func(time.Time) bool) {
	t.Helper()
	if len(pts) != s.Len()-from {
		t.Fatalf("got %d points for %d buckets", len(pts), s.Len()-from)
	}
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	for k, p := range pts {
		i := from + k
		switch {
		case p.Index != i || !p.Time.Equal(s.Time(i)) || !same(p.Value, s.Values[i]):
			t.Fatalf("point %d = %+v: index, time or value not the bucket's", i, p)
		case p.Anomaly && (muted(p.Time) || p.Reason == "" || (p.Direction != Up && p.Direction != Down)):
			t.Fatalf("point %d = %+v: anomaly muted, without a reason or a side", i, p)
		case math.IsNaN(p.Value) && p.Anomaly != (alert && !muted(p.Time) && runs <= 1) && runs <= 1:
			t.Fatalf("point %d = %+v: missing bucket with alert=%v", i, p, alert)
		case math.IsNaN(p.Value) && !alert && p.Anomaly:
			t.Fatalf("point %d = %+v: missing bucket alerts with alert off", i, p)
		}
		if !p.Anomaly {
			continue
		}
		for j := i - max(runs, 1) + 1; j <= i; j++ {
			if j < 0 || !unmuted[j].Anomaly || unmuted[j].Direction != p.Direction {
				t.Fatalf("point %d alerts after %d in a row, but point %d = %+v", i, runs, j, unmuted[max(j, 0)])
			}
		}
	}
}
