package detector

import (
	"errors"
	"math"
)

// Sensitivity presets, as robust z-score thresholds: a point is anomalous
// when it lies more than Threshold robust standard deviations from expected.
const (
	ThresholdLow    = 5.0
	ThresholdMedium = 4.0
	ThresholdHigh   = 3.0
)

// ParseSensitivity maps "low", "medium" ("" too) and "high" to a threshold.
func ParseSensitivity(s string) (float64, error) {
	switch s {
	case "low":
		return ThresholdLow, nil
	case "medium", "":
		return ThresholdMedium, nil
	case "high":
		return ThresholdHigh, nil
	}
	return 0, errors.New(`sensitivity must be "low", "medium" or "high"`)
}

// scoreScale is the z-score that maps to a score of one half. It is fixed so
// that scores compare across rules of different sensitivity.
const scoreScale = ThresholdMedium

// Score maps a robust z-score to [0,1): 0 at z=0, 0.5 at |z|=4, rising
// slowly beyond so that large anomalies still rank apart.
func Score(z float64) float64 {
	if math.IsNaN(z) {
		return 0
	}
	a := math.Abs(z)
	if math.IsInf(a, 1) {
		return 1
	}
	return a / (a + scoreScale)
}

// Guards are the checks every method shares when it turns an estimate into a
// verdict. The zero value judges both directions at the medium threshold and
// guards nothing else.
type Guards struct {
	Direction   Direction // which moves count; None and Both mean both
	Threshold   float64   // robust z beyond which a point is anomalous; 0 means medium
	MinDelta    float64   // |actual-expected| below this never alerts
	MinRelDelta float64   // |actual-expected|/|expected| below this never alerts
	MinVolume   float64   // a bucket whose volume is below this never alerts
}

func (g Guards) threshold() float64 {
	if g.Threshold > 0 {
		return g.Threshold
	}
	return ThresholdMedium
}

// JudgeScale fills p from an expected value and a robust scale (a standard
// deviation estimate): the band is expected ± threshold·scale. volume is the
// bucket's volume for the minimum-volume guard (the value itself, or a
// ratio's denominator). p.Value must already be set.
func (g Guards) JudgeScale(p *Point, expected, scale, volume float64) {
	t := g.threshold()
	p.Expected = expected
	p.Lower, p.Upper = expected-t*scale, expected+t*scale
	switch {
	case math.IsNaN(p.Value) || math.IsNaN(expected):
		p.Z = 0
	case scale > 0:
		p.Z = (p.Value - expected) / scale
	case p.Value == expected:
		p.Z = 0
	default:
		p.Z = math.Copysign(math.Inf(1), p.Value-expected)
	}
	p.Score = Score(p.Z)
	g.decide(p, volume)
}

// JudgeBand fills p from explicit bounds, for methods without a scale
// (static thresholds). expected may be NaN when the method has none; the
// score then grows with the distance past the nearer bound relative to the
// band's width.
func (g Guards) JudgeBand(p *Point, expected, lower, upper, volume float64) {
	p.Expected, p.Lower, p.Upper = expected, lower, upper
	width := upper - lower
	if math.IsInf(width, 0) || width <= 0 {
		width = math.Max(math.Abs(lower), math.Abs(upper))
	}
	switch {
	case math.IsNaN(p.Value):
		p.Z = 0
	case p.Value > upper:
		p.Z = g.threshold() + (p.Value-upper)/nonZero(width)
	case p.Value < lower:
		p.Z = -g.threshold() - (lower-p.Value)/nonZero(width)
	default:
		p.Z = 0
	}
	p.Score = Score(p.Z)
	g.decide(p, volume)
}

func nonZero(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	return x
}

// decide sets Direction, Anomaly and Reason from the band and the guards.
func (g Guards) decide(p *Point, volume float64) {
	p.Direction, p.Anomaly, p.Reason = None, false, ""
	if math.IsNaN(p.Value) {
		return
	}
	switch {
	case p.Value > p.Upper:
		p.Direction = Up
	case p.Value < p.Lower:
		p.Direction = Down
	default:
		return
	}
	want := g.Direction
	if want == None {
		want = Both
	}
	if !want.Allows(p.Direction) {
		return
	}
	if !math.IsNaN(p.Expected) {
		delta := math.Abs(p.Value - p.Expected)
		if delta < g.MinDelta {
			return
		}
		if g.MinRelDelta > 0 && p.Expected != 0 && delta/math.Abs(p.Expected) < g.MinRelDelta {
			return
		}
	}
	if g.MinVolume > 0 && !(volume >= g.MinVolume) {
		return
	}
	p.Anomaly = true
	p.Reason = Reason(*p)
}
