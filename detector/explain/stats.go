package explain

import "math"

// raw holds one segment's fetched numbers: Current and Baseline for a plain
// metric, the four sums for a ratio.
type raw struct {
	cur, base      float64
	n1, d1, n0, d0 float64
}

func (r raw) plus(o raw) raw {
	return raw{r.cur + o.cur, r.base + o.base, r.n1 + o.n1, r.d1 + o.d1, r.n0 + o.n0, r.d0 + o.d0}
}

func (r raw) minus(o raw) raw {
	return raw{r.cur - o.cur, r.base - o.base, r.n1 - o.n1, r.d1 - o.d1, r.n0 - o.n0, r.d0 - o.d0}
}

func (r raw) zero() bool { return r == raw{} }

// seg is one segment of a breakdown and what Explain derives for it.
type seg struct {
	values []string
	raw
	actual, expected float64 // plain: value and scaled expected; ratio: the segment's rates
	w1, w0           float64 // ratio: share of the denominator now and at baseline
	mix, rate        float64 // ratio: the two parts of delta
	delta            float64 // contribution to the metric's change
	share            float64 // delta over the change (or over the gross movement when flat)
	pi               float64 // share of the change it would carry if nothing segment-specific happened
	vol              float64 // its part of the volume, for the noise model
	x                float64 // delta minus that proportional part
	z                float64 // x in standard deviations; ±Inf when no scale is known
}

// frame is what the segments of one group are measured against: the
// detector's expected value, and the group's totals.
type frame struct {
	ratio    bool
	expected float64
	// plain metrics
	k            float64 // baseline scale: expected / Σ baseline
	byCurrent    bool    // no baseline: expected shared out like the current values
	sumA, sumE   float64
	absA, absE   float64
	noVolume     bool // ratio: no denominator now or at baseline
	d1, d0       float64
	kRate, shift float64 // ratio: baseline rates scaled by kRate, or shifted
	rbar         float64 // ratio: midpoint of the overall rate
	piNorm       float64 // ratio: Σ r0·w̄
	// both, once the segments are known
	net, gross float64
	nullTotal  float64 // the total the proportional parts share out
}

// newFrame prepares the measures of a group whose segments add up to tot.
func newFrame(ratio bool, expected float64, tot raw) *frame {
	f := &frame{ratio: ratio, expected: expected}
	if ratio {
		f.d1, f.d0 = tot.d1, tot.d0
		if tot.d1 <= 0 || tot.d0 <= 0 {
			f.noVolume = true
			return f
		}
		r1, r0 := tot.n1/tot.d1, tot.n0/tot.d0
		f.kRate = 1
		if r0 != 0 {
			f.kRate = expected / r0
		} else {
			f.shift = expected - r0
		}
		f.rbar = (r1 + expected) / 2
		return f
	}
	f.sumA = tot.cur
	if tot.base != 0 {
		f.k = expected / tot.base
	} else {
		f.byCurrent = true
	}
	return f
}

// measure fills the parts of s that depend only on the frame's baseline.
func (f *frame) measure(s *seg) {
	if f.ratio {
		f.measureRatio(s)
		return
	}
	s.actual = s.cur
	switch {
	case !f.byCurrent:
		s.expected = s.base * f.k
	case f.sumA != 0:
		s.expected = f.expected * s.cur / f.sumA
	}
	s.delta = snap(s.actual-s.expected, math.Abs(s.actual)+math.Abs(s.expected))
}

// snap returns 0 for x that is rounding error against size, so that a
// segment that did not move shows no change.
func snap(x, size float64) float64 {
	if math.Abs(x) <= 1e-12*size {
		return 0
	}
	return x
}

// measureRatio splits the segment's contribution to the change of the
// overall rate with the midpoint shift-share decomposition:
//
//	rate effect = (r1 − r0) · (w0 + w1) / 2
//	mix effect  = (w1 − w0) · ((r0 + r1) / 2 − R̄),  R̄ = (R1 + E) / 2
//
// where w are the segment's shares of the denominator, r its rates and E the
// expected overall rate (baseline rates are scaled to it). Per segment,
// w1·r1 − w0·r0 is exactly the sum of the two terms; subtracting R̄ from the
// mix term changes no total because the w's sum to one on both sides, and
// makes a segment's mix effect mean "moving weight into a segment that
// converts worse (or better) than average". Summed over the segments the
// effects give exactly R1 − E.
func (f *frame) measureRatio(s *seg) {
	if f.noVolume {
		return
	}
	s.w1, s.w0 = s.d1/f.d1, s.d0/f.d0
	has1, has0 := s.d1 > 0, s.d0 > 0
	var r1, r0 float64
	if has1 {
		r1 = s.n1 / s.d1
	}
	if has0 {
		r0 = s.n0/s.d0*f.kRate + f.shift
	}
	switch {
	case !has1 && !has0:
		return
	case !has1:
		r1 = r0
	case !has0:
		r0 = r1
	}
	s.actual, s.expected = r1, r0
	size := (math.Abs(r0) + math.Abs(r1) + math.Abs(f.rbar)) * (s.w0 + s.w1)
	s.rate = snap((r1-r0)*(s.w0+s.w1)/2, size)
	s.mix = snap((s.w1-s.w0)*((r0+r1)/2-f.rbar), size)
	s.delta = s.mix + s.rate
}

// finish sets the frame's totals from all the group's measured segments.
func (f *frame) finish(segs []seg) {
	f.net, f.gross = 0, 0
	var rates, sumE, absA, absE float64
	for i := range segs {
		s := &segs[i]
		f.net += s.delta
		f.gross += math.Abs(s.delta)
		rates += s.rate
		sumE += s.expected
		absA += math.Abs(s.actual)
		absE += math.Abs(s.expected)
		if f.ratio {
			f.piNorm += s.expected * (s.w0 + s.w1) / 2
		}
	}
	if f.ratio {
		f.nullTotal = rates
		return
	}
	f.sumE, f.absA, f.absE = sumE, absA, absE
	f.nullTotal = f.net
}

// proportion sets the segment's proportional part and volume: what it would
// contribute if the change were spread evenly (the same relative move for a
// plain metric, the same relative rate change for a ratio).
func (f *frame) proportion(s *seg) {
	if f.ratio {
		w := (s.w0 + s.w1) / 2
		if f.piNorm != 0 {
			s.pi = s.expected * w / f.piNorm
		} else {
			s.pi = w
		}
		s.vol = math.Max(s.w0, s.w1)
	} else {
		s.pi = ratioOr0(s.expected, f.sumE)
		s.vol = math.Max(ratioOr0(math.Abs(s.expected), f.absE), ratioOr0(math.Abs(s.actual), f.absA))
	}
	s.x = s.delta - s.pi*f.nullTotal
}

// judge sets share and z. flat says shares are of the gross movement.
//
// The noise model shares the metric's variance out in proportion to volume
// (as for counts): a segment with volume share v has variance scale²·v, and
// x = delta − π·change then has variance scale²·((1−π)²·v + π²·(1−v)).
func (f *frame) judge(s *seg, flat bool, scale float64) {
	if flat {
		s.share = ratioOr0(s.delta, f.gross)
	} else {
		s.share = ratioOr0(s.delta, f.net)
	}
	tol := 1e-9 * (f.gross + math.Abs(f.net) + math.Abs(f.expected))
	switch {
	case math.Abs(s.x) <= tol:
		s.z = 0
	case scale == 0:
		s.z = math.Copysign(math.Inf(1), s.x)
	default:
		p, v := clamp01(s.pi), clamp01(s.vol)
		sd := scale * math.Sqrt((1-p)*(1-p)*v+p*p*(1-v))
		if sd == 0 {
			s.z = math.Copysign(math.Inf(1), s.x)
		} else {
			s.z = s.x / sd
		}
	}
}

// surprise is the Jensen–Shannon divergence (base 2, in [0, 1]) between the
// expected and actual distributions of the metric over the segments, as in
// Adtributor. For ratios it is the mean of the divergences of numerator and
// denominator. Negative parts count as zero.
func surprise(segs []seg, ratio bool) float64 {
	p, q := make([]float64, len(segs)), make([]float64, len(segs))
	if !ratio {
		for i, s := range segs {
			p[i], q[i] = s.actual, s.expected
		}
		return jsd(p, q)
	}
	pd, qd := make([]float64, len(segs)), make([]float64, len(segs))
	for i, s := range segs {
		p[i], q[i], pd[i], qd[i] = s.n1, s.n0, s.d1, s.d0
	}
	return (jsd(p, q) + jsd(pd, qd)) / 2
}

// jsd returns the Jensen–Shannon divergence of two mass vectors after
// normalising each; 0 when either has no positive mass.
func jsd(p, q []float64) float64 {
	var sp, sq float64
	for i := range p {
		sp += math.Max(p[i], 0)
		sq += math.Max(q[i], 0)
	}
	if !(sp > 0 && sq > 0) || math.IsInf(sp, 0) || math.IsInf(sq, 0) {
		return 0
	}
	var d float64
	for i := range p {
		a, b := math.Max(p[i], 0)/sp, math.Max(q[i], 0)/sq
		m := (a + b) / 2
		if a > 0 {
			d += a * math.Log2(a/m) / 2
		}
		if b > 0 {
			d += b * math.Log2(b/m) / 2
		}
	}
	return math.Min(math.Max(d, 0), 1)
}

// ratioOr0 returns a/b, or 0 when that is not a finite number.
func ratioOr0(a, b float64) float64 {
	if q := a / b; finite(q) {
		return q
	}
	return 0
}

func clamp01(x float64) float64 { return math.Min(math.Max(x, 0), 1) }
