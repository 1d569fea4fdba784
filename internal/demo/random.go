package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Seeds of the independent random streams. Each stream is reseeded per
// hour from the hour's Unix time, so an hour's rows depend only on that
// hour: generating with a later anchor reproduces the shared hours (up to
// the slow trend and the injected incidents).
const (
	seedOrders   = 0x5eed_0001_0dde_75
	seedSessions = 0x5eed_0002_5e55_10
	seedNoise    = 0x5eed_0003_0a15_e0
)

// Sizes of the multiplicative noise, as sigmas of log factors: a day-level
// swing per market (weather, news, a local holiday) and an hour-level swing
// of the whole business.
//
// The hour's total orders carry only this noise, about 4%, and no Poisson
// noise on top: the demo has a few hundred orders an hour, whose Poisson
// noise (7% by day, 11% at night) would hide a 25% drop at night, when
// Brazil sleeps. So the totals behave like those of a business a few
// times larger, and the injected incidents are clear at any hour of the
// day. Segments still vary like Poisson counts, and traffic (sessions) is
// Poisson throughout.
const (
	dayNoise  = 0.015
	hourNoise = 0.015
)

// hourRNG returns the generator of one stream for the hour starting at t.
func hourRNG(stream uint64, t time.Time) *rand.Rand {
	return seeded(stream, uint64(t.Unix()/3600))
}

// seeded returns a generator for one key of a stream. PCG generators whose
// seeds differ in a few low bits start out correlated, so the key is mixed
// first.
func seeded(stream, key uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(stream^mix(key)), mix(key+stream)))
}

// mix is SplitMix64's finalizer: a bijection that spreads every input bit
// over the whole output.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// dayFactor is the noise factor of a market on a local calendar day.
func dayFactor(ci int, localDay int64) float64 {
	return logNormal(seeded(seedNoise, uint64(localDay)<<8|uint64(ci)), dayNoise)
}

// hourFactor is the noise factor shared by every market in one hour.
func hourFactor(t time.Time) float64 {
	return logNormal(seeded(^uint64(seedNoise), uint64(t.Unix()/3600)), hourNoise)
}

// logNormal draws a factor with mean one and log-sigma sigma.
func logNormal(r *rand.Rand, sigma float64) float64 {
	return math.Exp(sigma*r.NormFloat64() - sigma*sigma/2)
}

// poisson draws a count with mean lambda; lambda <= 0 gives zero.
func poisson(r *rand.Rand, lambda float64) int {
	if !(lambda > 0) {
		return 0
	}
	return int(distuv.Poisson{Lambda: lambda, Src: r}.Rand())
}

// binomial draws how many of n trials succeed with probability p each.
func binomial(r *rand.Rand, n int, p float64) int {
	if n <= 0 || !(p > 0) {
		return 0
	}
	return int(distuv.Binomial{N: float64(n), P: min(p, 1), Src: r}.Rand())
}

// roundRandom rounds x up with probability equal to its fraction, so that
// rounding adds no bias.
func roundRandom(r *rand.Rand, x float64) int {
	if !(x > 0) {
		return 0
	}
	f := math.Floor(x)
	if r.Float64() < x-f {
		f++
	}
	return int(f)
}

// localDay numbers the calendar days of a zone-shifted time.
func localDay(local time.Time) int64 {
	return int64(math.Floor(float64(local.Unix()) / 86400))
}
