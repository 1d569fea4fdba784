package corpus

import (
	"math"
	"math/rand/v2"
)

// signal is a series being generated: the normal values, their noise
// scale, and the values with noise and events.
type signal struct {
	p      Profile
	base   []float64 // the noiseless value of each bucket
	sigma  []float64 // the noise standard deviation of each bucket, in value units
	values []float64
}

// newSignal draws n hourly values of profile p.
func newSignal(rng *rand.Rand, p Profile, n int) *signal {
	g := &signal{p: p, base: make([]float64, n), sigma: make([]float64, n), values: make([]float64, n)}
	daily := dailyShape(rng)
	for i := range n {
		trend := p.Trend * float64(i) / float64(n)
		d, w := daily[i%24], weeklyShape((i/24)%7)
		eps := noise(rng, p.DF)
		if p.Scale == "ratio" {
			x := logit(p.Level) + p.Daily*d + p.Weekly*w + trend
			q := sigmoid(x)
			g.base[i], g.sigma[i] = q, p.Noise*q*(1-q)
			g.values[i] = sigmoid(x + p.Noise*eps)
			continue
		}
		b := p.Level * (1 + trend) * (1 + p.Daily*d) * (1 + p.Weekly*w)
		g.base[i], g.sigma[i] = b, math.Sqrt(b+p.Noise*p.Noise*b*b)
		v := max(0, b*(1+p.Noise*eps))
		if p.Scale == "tens" {
			v = poisson(rng, v)
		}
		g.values[i] = v
	}
	return g
}

// dailyShape is a smooth daily cycle with a random peak hour and a second
// harmonic, scaled so that its largest swing is 1.
func dailyShape(rng *rand.Rand) [24]float64 {
	phase, psi := 24*rng.Float64(), 2*math.Pi*rng.Float64()
	var d [24]float64
	peak := 0.0
	for h := range d {
		x := 2 * math.Pi * (float64(h) - phase) / 24
		d[h] = math.Sin(x) + 0.35*math.Sin(2*x+psi)
		peak = max(peak, math.Abs(d[h]))
	}
	for h := range d {
		d[h] /= peak
	}
	return d
}

// weeklyShape is +0.4 on weekdays and -1 on the weekend (day 5 and 6 from
// Monday), which averages to zero over a week.
func weeklyShape(day int) float64 {
	if day >= 5 {
		return -1
	}
	return 0.4
}

// noise draws unit-variance noise: normal for df 0, else Student-t with df
// degrees of freedom, redrawn beyond six standard deviations so that
// outliers stay moderate.
func noise(rng *rand.Rand, df int) float64 {
	for {
		z := rng.NormFloat64()
		if df == 0 {
			return z
		}
		var chi2 float64
		for range df {
			x := rng.NormFloat64()
			chi2 += x * x
		}
		t := z / math.Sqrt(chi2/float64(df)) * math.Sqrt(float64(df-2)/float64(df))
		if math.Abs(t) <= 6 {
			return t
		}
	}
}

// poisson draws a Poisson count with mean lambda: Knuth's product of
// uniforms for small means, a rounded normal for large ones.
func poisson(rng *rand.Rand, lambda float64) float64 {
	if lambda > 500 {
		return max(0, math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64()))
	}
	l, k, p := math.Exp(-lambda), 0.0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func logit(p float64) float64   { return math.Log(p / (1 - p)) }
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// inject adds event e to the values and sets its size.
func (g *signal) inject(rng *rand.Rand, e *Event) {
	u := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	sign := 1.0
	if rng.IntN(2) == 0 {
		sign = -1
	}
	switch e.Kind {
	case Spike:
		e.Size = u(5, 12)
	case Dip:
		e.Size = -u(5, 12)
	case Shift:
		e.Size = sign * u(3, 6)
	case Drift:
		e.Size = sign * u(6, 12)
	case Variance:
		e.Size = u(3, 6)
	}
	d := float64(e.End - e.Start + 1)
	for i := e.Start; i <= e.End; i++ {
		switch e.Kind {
		case Spike, Dip, Shift:
			g.values[i] += e.Size * g.sigma[i]
		case Drift:
			g.values[i] += e.Size * g.sigma[i] * float64(i-e.Start+1) / d
		case Variance:
			g.values[i] += math.Sqrt(e.Size*e.Size-1) * g.sigma[i] * rng.NormFloat64()
		}
	}
}

// finish keeps values in their domain: counts whole and not negative,
// ratios in [0,1].
func (g *signal) finish() {
	for i, v := range g.values {
		if g.p.Scale == "ratio" {
			g.values[i] = min(1, max(0, v))
		} else {
			g.values[i] = max(0, math.Round(v))
		}
	}
}

// dropStretches removes up to three stretches of 1 to 12 buckets and a few
// single buckets (about 0.3%), never within margin of an event, so that
// every labelled event has its data.
func (g *signal) dropStretches(rng *rand.Rand, events []Event) {
	n := len(g.values)
	near := func(a, b int) bool {
		for _, e := range events {
			if a <= e.End+margin && b >= e.Start-margin {
				return true
			}
		}
		return false
	}
	for range rng.IntN(4) {
		l := 1 + rng.IntN(12)
		a := rng.IntN(n - l)
		if near(a, a+l-1) {
			continue
		}
		for i := a; i < a+l; i++ {
			g.values[i] = math.NaN()
		}
	}
	for i := range n {
		if rng.Float64() < 0.003 && !near(i, i) {
			g.values[i] = math.NaN()
		}
	}
}
