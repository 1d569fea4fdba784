package detector

import (
	"errors"
	"fmt"
	"math"
)

// Threshold flags values outside fixed bounds: "orders per hour must stay
// above 100", "error rate must stay below 2%". It needs no history, so it
// judges the very first bucket of a series.
//
// A judged point's Expected is the value clamped into the bounds: the value
// itself inside them, the crossed bound outside them. So MinDelta reads as
// "at least this far past the bound" and MinRelDelta as a fraction of the
// bound. Missing buckets are not judged (Expected NaN); Freshness reports
// them. Guards.Threshold only sets the Z of a point exactly on a bound; it
// does not move the bounds.
type Threshold struct {
	Lower *float64 // values below it are anomalous; nil means no lower bound
	Upper *float64 // values above it are anomalous; nil means no upper bound
	Guards
}

// NewThreshold checks t and returns a copy that owns its bounds, so later
// changes to the caller's variables do not move them.
func NewThreshold(t Threshold) (Threshold, error) {
	if err := t.validate(); err != nil {
		return Threshold{}, err
	}
	if t.Lower != nil {
		lo := *t.Lower
		t.Lower = &lo
	}
	if t.Upper != nil {
		hi := *t.Upper
		t.Upper = &hi
	}
	return t, nil
}

func (t Threshold) validate() error {
	if t.Lower == nil && t.Upper == nil {
		return errors.New("threshold: set a lower bound, an upper bound or both")
	}
	if t.Lower != nil && !thresholdFinite(*t.Lower) {
		return fmt.Errorf("threshold: lower bound must be a finite number, got %v", *t.Lower)
	}
	if t.Upper != nil && !thresholdFinite(*t.Upper) {
		return fmt.Errorf("threshold: upper bound must be a finite number, got %v", *t.Upper)
	}
	if t.Lower != nil && t.Upper != nil && *t.Lower > *t.Upper {
		return fmt.Errorf("threshold: lower bound %v is above upper bound %v", *t.Lower, *t.Upper)
	}
	return thresholdCheckGuards("threshold", t.Guards)
}

// bounds returns the band, with an infinite side where t has no bound.
func (t Threshold) bounds() (lo, hi float64) {
	lo, hi = math.Inf(-1), math.Inf(1)
	if t.Lower != nil {
		lo = *t.Lower
	}
	if t.Upper != nil {
		hi = *t.Upper
	}
	return lo, hi
}

// Detect judges s.Values[from:] against the bounds.
func (t Threshold) Detect(s Series, from int) ([]Point, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	if err := thresholdCheckSeries("threshold", s, from); err != nil {
		return nil, err
	}
	lo, hi := t.bounds()
	oneSided := math.IsInf(lo, 0) || math.IsInf(hi, 0)
	pts := make([]Point, len(s.Values)-from)
	for k := range pts {
		i := from + k
		p := &pts[k]
		p.Index, p.Time, p.Value = i, s.Time(i), s.Values[i]
		expected := math.Min(math.Max(p.Value, lo), hi) // NaN stays NaN
		t.JudgeBand(p, expected, lo, hi, Volume(s, i, expected))
		if oneSided && p.Z != 0 {
			t.oneSidedZ(p, lo, hi)
		}
		if p.Anomaly {
			p.Reason = thresholdReason(*p)
		}
	}
	return pts, nil
}

// oneSidedZ rescales the Z of a point past a one-sided bound. JudgeBand
// measures the excess in absolute units when the band is unbounded, which
// makes scores depend on the metric's magnitude; here the excess is taken
// relative to the bound itself (or in absolute units when the bound is 0),
// so 20% past the bound scores the same for 100 and for 1e12.
func (t Threshold) oneSidedZ(p *Point, lo, hi float64) {
	th := t.threshold()
	switch {
	case p.Value > hi:
		p.Z = th + (p.Value-hi)/thresholdRef(hi)
	case p.Value < lo:
		p.Z = -th - (lo-p.Value)/thresholdRef(lo)
	}
	p.Score = Score(p.Z)
}

func thresholdRef(bound float64) float64 {
	if bound == 0 {
		return 1
	}
	return math.Abs(bound)
}

// thresholdReason words a breach against the bound, not against an expected
// value: "120 above the upper bound 100".
func thresholdReason(p Point) string {
	p.Expected = math.NaN()
	return Reason(p)
}
