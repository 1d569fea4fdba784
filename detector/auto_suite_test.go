package detector

import (
	"errors"
	"math"
	"testing"
)

// This file holds the checks every method of this family must pass, run by
// stl_test.go and holtwinters_test.go with their own detectors.

// autoDetect runs d and fails the test on an error.
func autoDetect(t *testing.T, d Detector, s Series, from int) []Point {
	t.Helper()
	pts, err := d.Detect(s, from)
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	if len(pts) != len(s.Values)-from {
		t.Fatalf("Detect returned %d points, want %d", len(pts), len(s.Values)-from)
	}
	return pts
}

// autoAnomalies lists the indexes of anomalous points.
func autoAnomalies(pts []Point) []int {
	var out []int
	for _, p := range pts {
		if p.Anomaly {
			out = append(out, p.Index)
		}
	}
	return out
}

// autoCheckInjected checks that a spike, a dip and a level shift injected
// into clean seasonal data are flagged at the right index and direction,
// and that nothing before them is.
func autoCheckInjected(t *testing.T, d Detector, clean Series, at int, size float64) {
	tests := []struct {
		name  string
		apply func(v []float64)
		dir   Direction
		last  int // the injected change lasts until this index
	}{
		{name: "spike", apply: func(v []float64) { v[at] += size }, dir: Up, last: at},
		{name: "dip", apply: func(v []float64) { v[at] -= size }, dir: Down, last: at},
		{name: "level shift", apply: func(v []float64) {
			for i := at; i < len(v); i++ {
				v[i] += size
			}
		}, dir: Up, last: len(clean.Values) - 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := clean
			s.Values = append([]float64(nil), clean.Values...)
			tc.apply(s.Values)
			from := at - 200
			pts := autoDetect(t, d, s, from)
			p := pts[at-from]
			if !p.Anomaly || p.Direction != tc.dir {
				t.Fatalf("point %d: anomaly %v direction %v (value %.4g expected %.4g band %.4g..%.4g), want anomaly %v",
					at, p.Anomaly, p.Direction, p.Value, p.Expected, p.Lower, p.Upper, tc.dir)
			}
			if p.Score < 0.6 {
				t.Errorf("point %d: score %.3f, want ≥ 0.6 for a change of %.3g", at, p.Score, size)
			}
			if p.Reason == "" {
				t.Errorf("point %d: no reason", at)
			}
			for _, i := range autoAnomalies(pts) {
				if i < at {
					t.Errorf("point %d flagged before the change at %d", i, at)
				}
			}
			if tc.name == "level shift" && !pts[at+1-from].Anomaly {
				t.Errorf("point %d after the shift not flagged", at+1)
			}
		})
	}
}

// autoCheckFalseAlarms runs d over long clean series and bounds the share of
// anomalies at medium sensitivity; it also checks that the z-scores are
// calibrated (robust spread near 1), so that sensitivities mean what they
// say.
func autoCheckFalseAlarms(t *testing.T, d Detector, gens []autoGen) {
	for _, g := range gens {
		s := g.series()
		pts := autoDetect(t, d, s, 0)
		var zs []float64
		flagged := 0
		for _, p := range pts {
			if !p.Judged() {
				continue
			}
			zs = append(zs, math.Abs(p.Z))
			if p.Anomaly {
				flagged++
			}
		}
		if len(zs) < len(pts)/2 {
			t.Fatalf("seed %d: judged %d of %d points", g.seed, len(zs), len(pts))
		}
		rate := float64(flagged) / float64(len(zs))
		// A Gaussian exceeds 4 standard deviations with probability 6e-5.
		if rate > 1e-3 {
			t.Errorf("seed %d: false alarm rate %.4f (%d of %d), want ≤ 0.001", g.seed, rate, flagged, len(zs))
		}
		spread := 1.4826 * stlMedianInPlace(zs)
		if spread < 0.8 || spread > 1.25 {
			t.Errorf("seed %d: robust spread of z = %.3f, want within [0.8, 1.25]", g.seed, spread)
		}
	}
}

// autoCheckNoLookAhead checks that the verdict on a point does not change
// when the points after it are removed, nor with the start of judging.
func autoCheckNoLookAhead(t *testing.T, d Detector, s Series, from int) {
	all := autoDetect(t, d, s, from)
	whole := autoDetect(t, d, s, 0)
	for i := from; i < len(s.Values); i += 37 {
		cut := s
		cut.Values = s.Values[:i+1]
		pts := autoDetect(t, d, cut, from)
		got, want := pts[i-from], all[i-from]
		if !autoSame(got, want) {
			t.Fatalf("point %d judged on data up to it = %+v, on the whole series = %+v", i, got, want)
		}
		if !autoSame(whole[i], want) {
			t.Fatalf("point %d judged from 0 = %+v, from %d = %+v", i, whole[i], from, want)
		}
	}
}

func autoSame(a, b Point) bool {
	eq := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	return a.Index == b.Index && a.Anomaly == b.Anomaly && a.Direction == b.Direction &&
		eq(a.Expected, b.Expected) && eq(a.Lower, b.Lower) && eq(a.Upper, b.Upper) && eq(a.Z, b.Z)
}

// autoCheckEdges covers empty, short, constant and out-of-range input.
func autoCheckEdges(t *testing.T, d Detector, period int) {
	one := Series{Start: autoStart, Step: autoHour, Values: []float64{5}}
	if _, err := d.Detect(Series{Step: autoHour}, 0); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("Detect(empty) error = %v, want ErrNotEnoughData", err)
	}
	if _, err := d.Detect(one, 0); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("Detect(one point) error = %v, want ErrNotEnoughData", err)
	}
	for _, from := range []int{-1, 2} {
		if _, err := d.Detect(one, from); err == nil || errors.Is(err, ErrNotEnoughData) {
			t.Errorf("Detect(from %d) error = %v, want a range error", from, err)
		}
	}
	if pts, err := d.Detect(one, 1); err != nil || len(pts) != 0 {
		t.Errorf("Detect(from end) = %d points, %v; want none", len(pts), err)
	}
	allGaps := Series{Start: autoStart, Step: autoHour, Values: make([]float64, 10*period)}
	for i := range allGaps.Values {
		allGaps.Values[i] = math.NaN()
	}
	if _, err := d.Detect(allGaps, 0); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("Detect(all gaps) error = %v, want ErrNotEnoughData", err)
	}
	n := 12 * period
	flat := Series{Start: autoStart, Step: autoHour, Values: make([]float64, n)}
	for i := range flat.Values {
		flat.Values[i] = 42
	}
	pts := autoDetect(t, d, flat, 0)
	if got := autoAnomalies(pts); len(got) != 0 {
		t.Errorf("Detect(constant) flagged %v", got)
	}
	if p := pts[n-1]; !p.Judged() || math.Abs(p.Expected-42) > 1e-6 {
		t.Errorf("Detect(constant) expected %v at the end, want 42", p.Expected)
	}
	flat.Values[n-1] = 43
	if p := autoDetect(t, d, flat, n-1)[0]; !p.Anomaly || p.Direction != Up {
		t.Errorf("Detect(constant then step) = anomaly %v direction %v, want an up anomaly", p.Anomaly, p.Direction)
	}
}

// autoCheckGaps checks that missing points are never flagged and that a
// spike among many gaps is still found.
func autoCheckGaps(t *testing.T, d Detector, s Series, at int, size float64) {
	s.Values = append([]float64(nil), s.Values...)
	for i := range s.Values {
		if (i*7919)%10 < 3 && i != at { // 30% of the points, spread evenly
			s.Values[i] = math.NaN()
		}
	}
	s.Values[at] += size
	pts := autoDetect(t, d, s, 0)
	for _, p := range pts {
		if math.IsNaN(p.Value) && (p.Anomaly || p.Score != 0) {
			t.Fatalf("missing point %d judged: anomaly %v score %v", p.Index, p.Anomaly, p.Score)
		}
		if p.Judged() && (math.IsNaN(p.Expected) || math.IsInf(p.Upper-p.Lower, 0)) {
			t.Fatalf("point %d: expected %v band %v..%v", p.Index, p.Expected, p.Lower, p.Upper)
		}
	}
	if !pts[at].Anomaly {
		t.Errorf("spike at %d among gaps not flagged: %+v", at, pts[at])
	}
}

// autoCheckMagnitudes checks that scaling the data by 1e12 or 1e-9 scales
// the verdicts and nothing else.
func autoCheckMagnitudes(t *testing.T, d Detector, s Series, from int) {
	base := autoDetect(t, d, s, from)
	for _, k := range []float64{1e12, 1e-9} {
		scaled := s
		scaled.Values = make([]float64, len(s.Values))
		for i, v := range s.Values {
			scaled.Values[i] = v * k
		}
		pts := autoDetect(t, d, scaled, from)
		for i, p := range pts {
			b := base[i]
			if p.Anomaly != b.Anomaly || math.Abs(p.Z-b.Z) > 1e-6*math.Max(1, math.Abs(b.Z)) ||
				math.Abs(p.Expected-k*b.Expected) > 1e-9*math.Abs(k*b.Expected) {
				t.Fatalf("×%g point %d: anomaly %v z %v expected %v; unscaled anomaly %v z %v expected %v",
					k, p.Index, p.Anomaly, p.Z, p.Expected, b.Anomaly, b.Z, b.Expected)
			}
		}
	}
}

// autoFuzzValues turns fuzz bytes into a series with gaps, infinities,
// huge and tiny values.
func autoFuzzValues(data []byte) []float64 {
	v := make([]float64, 0, len(data))
	for i, b := range data {
		switch b {
		case 0:
			v = append(v, math.NaN())
		case 1:
			v = append(v, math.Inf(1))
		case 2:
			v = append(v, 1e300)
		case 3:
			v = append(v, -1e-300)
		default:
			v = append(v, float64(b)+float64(i%24))
		}
	}
	return v
}

func autoCheckFuzzPoints(t *testing.T, pts []Point) {
	for _, p := range pts {
		if !(p.Score >= 0 && p.Score <= 1) {
			t.Fatalf("point %d: score %v outside [0,1]", p.Index, p.Score)
		}
		if math.IsNaN(p.Value) && p.Anomaly {
			t.Fatalf("missing point %d flagged", p.Index)
		}
	}
}
