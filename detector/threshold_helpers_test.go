package detector

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Test helpers shared by the threshold, change, cusum and freshness tests.
// Their names carry the threshold prefix so that they cannot clash with the
// helpers of other methods' tests in this package.

var thresholdT0 = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)

// thresholdHourly returns an hourly series in UTC starting at thresholdT0.
func thresholdHourly(values ...float64) Series {
	return Series{Start: thresholdT0, Step: time.Hour, Values: values}
}

func thresholdPtr(x float64) *float64 { return &x }

var thresholdNaN = math.NaN()

// thresholdAnomalies returns the indexes of the anomalous points.
func thresholdAnomalies(pts []Point) []int {
	var out []int
	for _, p := range pts {
		if p.Anomaly {
			out = append(out, p.Index)
		}
	}
	return out
}

func thresholdSameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// thresholdNoise returns n values of mean + sd·N(0,1) from a seeded source.
func thresholdNoise(seed uint64, n int, mean, sd float64) []float64 {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	v := make([]float64, n)
	for i := range v {
		v[i] = mean + sd*r.NormFloat64()
	}
	return v
}

// thresholdSamePoint reports whether two verdicts agree, NaN equal to NaN.
func thresholdSamePoint(a, b Point) bool {
	eq := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	return a.Index == b.Index && a.Time.Equal(b.Time) && eq(a.Value, b.Value) &&
		eq(a.Expected, b.Expected) && eq(a.Lower, b.Lower) && eq(a.Upper, b.Upper) &&
		eq(a.Score, b.Score) && eq(a.Z, b.Z) && a.Anomaly == b.Anomaly &&
		a.Direction == b.Direction && a.Reason == b.Reason
}

// thresholdCheckNoLookahead fails when the verdict on a point depends on
// data after it or on where judging starts: each point judged over the whole
// series must equal the same point judged as the latest of a truncated
// series.
func thresholdCheckNoLookahead(t *testing.T, d Detector, s Series, step int) {
	t.Helper()
	all, err := d.Detect(s, 0)
	if err != nil {
		t.Fatalf("Detect(whole) error: %v", err)
	}
	for i := 0; i < s.Len(); i += step {
		cut := s
		cut.Values = s.Values[:i+1]
		if s.Weight != nil {
			cut.Weight = s.Weight[:i+1]
		}
		got, err := d.Detect(cut, i)
		if errors.Is(err, ErrNotEnoughData) {
			if all[i].Judged() || all[i].Anomaly {
				t.Fatalf("point %d: too early to judge as the latest point, yet judged in the whole series: %+v", i, all[i])
			}
			continue
		}
		if err != nil {
			t.Fatalf("Detect(first %d, from %d) error: %v", i+1, i, err)
		}
		if len(got) != 1 || !thresholdSamePoint(got[0], all[i]) {
			t.Fatalf("point %d judged as latest = %+v, judged in the whole series = %+v", i, got, all[i])
		}
	}
}

// thresholdCheckPoints asserts what every verdict must satisfy.
func thresholdCheckPoints(t *testing.T, s Series, from int, pts []Point) {
	t.Helper()
	if len(pts) != s.Len()-from {
		t.Fatalf("got %d points, want %d", len(pts), s.Len()-from)
	}
	for k, p := range pts {
		if p.Index != from+k {
			t.Fatalf("point %d has index %d, want %d", k, p.Index, from+k)
		}
		if math.IsNaN(p.Score) || p.Score < 0 || p.Score > 1 {
			t.Fatalf("point %d: score %v outside [0,1]", p.Index, p.Score)
		}
		if math.IsNaN(p.Z) {
			t.Fatalf("point %d: Z is NaN", p.Index)
		}
		if p.Anomaly && (p.Reason == "" || p.Direction == None || p.Direction == Both) {
			t.Fatalf("point %d: anomaly with reason %q and direction %v", p.Index, p.Reason, p.Direction)
		}
		if !p.Anomaly && p.Reason != "" {
			t.Fatalf("point %d: reason %q without an anomaly", p.Index, p.Reason)
		}
	}
}

// thresholdFuzzSeries decodes fuzz bytes into an hourly series, eight bytes
// per value, so the fuzzer reaches NaN, infinities and extreme magnitudes.
func thresholdFuzzSeries(b []byte) Series {
	v := make([]float64, 0, len(b)/8)
	for len(b) >= 8 {
		v = append(v, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return thresholdHourly(v...)
}

// thresholdFuzzBytes encodes values for the fuzz corpus.
func thresholdFuzzBytes(v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

// thresholdFuzzFrom maps a fuzzed int to a valid from for s.
func thresholdFuzzFrom(s Series, from int) int {
	if s.Len() == 0 {
		return 0
	}
	if from < 0 {
		from = -from
	}
	if from < 0 {
		from = 0
	}
	return from % (s.Len() + 1)
}
