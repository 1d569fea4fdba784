package detector

import (
	"math"
	"sync"
)

// The decision interval h and the z-score equivalent of a CUSUM statistic
// both come from Siegmund's approximation of the average run length (ARL)
// of a one-sided tabular CUSUM with allowance k on independent unit-variance
// Gaussian data in control:
//
//	ARL(h) ≈ (exp(2k·b) − 2k·b − 1) / (2k²),  b = h + 1.166
//
// A single-bucket check at robust-z threshold t raises a false alarm on one
// side once every 1/Q(t) buckets on average, Q the standard normal upper
// tail. cusumH picks the h whose one-sided ARL equals that, so a CUSUM rule
// at a given sensitivity is about as noisy as a single-bucket rule at the
// same sensitivity: t = 3, 4, 5 give h ≈ 4.8, 8.5, 13.2 for k = 0.5.
// cusumZ maps a statistic S back to the t whose single-bucket false-alarm
// rate matches ARL(S), so Z crosses t exactly when S crosses h and the
// score does not depend on the rule's sensitivity.

// cusumLogARL returns the log of the in-control ARL of a one-sided CUSUM
// with allowance k and decision interval h.
func cusumLogARL(h, k float64) float64 {
	a := 2 * k * (h + 1.166)
	if a > 30 { // exp(a) dwarfs the other terms
		return a - math.Log(2*k*k)
	}
	return math.Log(math.Expm1(a)-a) - math.Log(2*k*k)
}

// cusumLogQ returns log Q(z), the log upper tail of the standard normal.
func cusumLogQ(z float64) float64 {
	if z < 37 {
		return math.Log(0.5 * math.Erfc(z/math.Sqrt2))
	}
	// Q(z) ≈ φ(z)/z beyond where Erfc underflows.
	return -z*z/2 - math.Log(z) - 0.5*math.Log(2*math.Pi)
}

// cusumQuantile returns the z ≥ 0 with log Q(z) = logp, 0 when p ≥ 1/2.
func cusumQuantile(logp float64) float64 {
	switch {
	case math.IsNaN(logp):
		return 0
	case logp >= -math.Ln2:
		return 0
	case math.IsInf(logp, -1):
		return math.Inf(1)
	case logp > -20:
		return math.Sqrt2 * math.Erfcinv(2*math.Exp(logp))
	}
	// Asymptotic start, then Newton steps on log Q.
	l := -logp
	z := math.Sqrt(2*l - math.Log(4*math.Pi*l))
	for range 4 {
		lq := cusumLogQ(z)
		logPhi := -z*z/2 - 0.5*math.Log(2*math.Pi)
		z += (lq - logp) * math.Exp(lq-logPhi) // d log Q/dz = −φ/Q
	}
	return z
}

// cusumH returns the decision interval whose one-sided in-control ARL
// equals that of a single-bucket check at threshold t, for allowance k and
// known reference and sigma.
func cusumH(t, k float64) float64 {
	target := -cusumLogQ(t) // log of 1/Q(t)
	return cusumSolve(func(h float64) bool { return cusumLogARL(h, k) < target })
}

// cusumSolve returns where below turns false, for below true at 0 and
// false from some h on.
func cusumSolve(below func(h float64) bool) float64 {
	lo, hi := 0.0, 1.0
	for below(hi) && hi < 1e6 {
		hi *= 2
	}
	for range 60 {
		mid := (lo + hi) / 2
		if below(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// A reference and sigma learnt from n values are off by sampling error,
// and an error in the reference acts as a standing shift that the CUSUM
// accumulates. With the plain h, baselines of a few hundred values make
// false alarms several times more frequent than intended. cusumHLearnt
// averages the false-alarm rate over that error: the median's error is
// about N(0, π/2n)·sigma and the MAD's relative error N(0, 1.36/n), the
// statistic on r = λ(z+δ) with λ = sigma/estimate is a unit CUSUM with
// allowance k/λ and interval h/λ, and Siegmund's approximation gives its
// rate for drift δ. It solves for the h whose averaged two-sided rate is
// that of a single-bucket check at threshold t, integrating with 10-point
// Gauss-Hermite quadrature. On simulated Gaussian noise the resulting
// false-alarm rates match the target closely without a period and are
// lower with one (slot medians are noisier one by one but their errors
// largely cancel over a run). Small windows at low sensitivity need a large
// h: a target of one false alarm in millions of buckets is dominated by the
// rare badly learnt baseline.

// cusumGH holds 10-point Gauss-Hermite nodes and weights (weight e^{-x²}).
var cusumGH = [...][2]float64{
	{-3.4361591188377376, 7.640432855232621e-06}, {-2.5327316742327897, 0.0013436457467812327},
	{-1.7566836492998818, 0.033874394455481064}, {-1.0366108297895136, 0.2401386110823147},
	{-0.3429013272237046, 0.6108626337353258}, {0.3429013272237046, 0.6108626337353258},
	{1.0366108297895136, 0.2401386110823147}, {1.7566836492998818, 0.033874394455481064},
	{2.5327316742327897, 0.0013436457467812327}, {3.4361591188377376, 7.640432855232621e-06},
}

// cusumRate returns the two-sided false-alarm rate per bucket of a CUSUM
// with allowance k and interval h whose baseline was learnt from n values.
func cusumRate(h, k float64, n int) float64 {
	sdLevel := math.Sqrt(math.Pi / (2 * float64(n)))
	sdScale := math.Sqrt(1.3605 / float64(n))
	sum := 0.0
	for _, a := range cusumGH {
		delta := sdLevel * math.Sqrt2 * a[0]
		for _, b := range cusumGH {
			ratio := math.Max(1+sdScale*math.Sqrt2*b[0], 0.1) // estimate/sigma
			kk, hh := k*ratio, h*ratio
			rate := 1/cusumARL(delta-kk, hh) + 1/cusumARL(-delta-kk, hh)
			sum += a[1] * b[1] * rate
		}
	}
	return sum / math.Pi
}

// cusumARL is Siegmund's approximation of the ARL of a one-sided CUSUM on
// unit-variance increments of mean drift (the mean less the allowance)
// with decision interval h.
func cusumARL(drift, h float64) float64 {
	b := h + 1.166
	if math.Abs(drift) < 1e-9 {
		return b * b
	}
	e := -2 * drift * b
	if e > 700 {
		return math.Inf(1)
	}
	return (math.Exp(e) + 2*drift*b - 1) / (2 * drift * drift)
}

type cusumHKey struct {
	t, k float64
	n    int
}

var cusumHMemo sync.Map // cusumHKey → float64

// cusumHLearnt returns the decision interval for threshold t, allowance k
// and a baseline of n values (see above). Results are memoised: each takes
// a few thousand exponentials.
func cusumHLearnt(t, k float64, n int) float64 {
	key := cusumHKey{t, k, n}
	if h, ok := cusumHMemo.Load(key); ok {
		return h.(float64)
	}
	target := 2 * math.Exp(cusumLogQ(t))
	h := cusumSolve(func(h float64) bool { return cusumRate(h, k, n) > target })
	cusumHMemo.Store(key, h)
	return h
}

// cusumZ returns the single-bucket z-score equivalent of statistic s ≥ 0.
func cusumZ(s, k float64) float64 {
	if math.IsInf(s, 1) {
		return math.Inf(1)
	}
	return cusumQuantile(-cusumLogARL(s, k))
}
