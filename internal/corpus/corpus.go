// Package corpus generates a labelled corpus of hourly business metrics for
// evaluating detection methods: series with daily and weekly seasons of
// varying strength, trends, heavy-tailed noise and missing stretches, into
// which known anomalies are injected and labelled.
//
// Only the injected events are labelled. Noise is heavy-tailed (Student-t
// with 4 to 30 degrees of freedom, capped at six standard deviations) so
// that isolated moderate outliers are part of normal data, as in real
// metrics; a method that alerts on them pays in precision.
//
// The corpus is a pure function of its seed (math/rand/v2's PCG), so a
// measurement on it is repeatable; other seeds give fresh corpora of the
// same design for checking that a result is not an accident of one draw.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"time"

	"vigil/detector"
	"vigil/internal/backtest"
)

// Kind is the kind of an injected anomaly.
type Kind string

// Kinds of anomalies.
const (
	Spike    Kind = "spike"    // one or two buckets far above normal
	Dip      Kind = "dip"      // one to three buckets far below normal
	Shift    Kind = "shift"    // the level moves for 6 to 48 hours, then returns
	Drift    Kind = "drift"    // a ramp away from normal over one to three days, then a return
	Variance Kind = "variance" // the noise grows three- to sixfold for 12 to 48 hours
)

// Kinds lists every kind, in a fixed order.
var Kinds = []Kind{Spike, Dip, Shift, Drift, Variance}

// Event is one injected anomaly.
type Event struct {
	Kind       Kind
	Start, End int // first and last bucket, inclusive
	// Size is the peak displacement in noise standard deviations at the
	// event (signed: negative is down), or for Variance the factor on the
	// noise's standard deviation.
	Size   float64
	Window backtest.Window // the label: Start to End bucket times
}

// Profile describes a series' normal behaviour.
type Profile struct {
	Scale  string  // "tens", "thousands", "millions" (counts) or "ratio" (in [0,1])
	Level  float64 // typical value: a count, or a rate for ratios
	Daily  float64 // daily amplitude, relative (log-odds for ratios)
	Weekly float64 // weekend drop, relative (log-odds for ratios)
	Trend  float64 // change of level over the whole series, relative (log-odds for ratios)
	Noise  float64 // noise standard deviation, relative (log-odds for ratios); counts add Poisson noise
	DF     int     // Student-t degrees of freedom of the noise; 0 means normal
}

// Case is one labelled series.
type Case struct {
	Name    string
	Series  detector.Series
	Labels  []backtest.Window // one per event, in time order
	Events  []Event
	Profile Profile
}

// Design of the corpus.
const (
	// Warmup is the number of buckets (three weeks) before the first
	// event; methods with weekly seasons need that much history.
	Warmup = 3 * 7 * 24
	// separation is the least number of buckets between events, so that
	// each method has recovered from one before the next.
	separation = 72
	// margin keeps missing stretches this many buckets away from events.
	margin = 6
)

// firstBucket is the first bucket of every series: a Monday at midnight UTC.
var firstBucket = time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)

var (
	scales  = []string{"tens", "thousands", "millions", "ratio"}
	trends  = []string{"flat", "up", "down"}
	seasons = []string{"daily+weekly", "daily", "weak", "none"}
)

// Generate returns the corpus for seed: 48 hourly series of 8 to 10 weeks,
// one for every combination of scale (tens, thousands, millions, ratio),
// trend (flat, up, down) and seasonality (daily and weekly, daily only,
// weak, none), each with two to four labelled events after the warm-up.
func Generate(seed uint64) []Case {
	var cases []Case
	i := 0
	for _, season := range seasons {
		for _, trend := range trends {
			for _, scale := range scales {
				rng := rand.New(rand.NewPCG(seed, uint64(i)))
				c := generate(rng, i, scale, trend, season)
				c.Name = fmt.Sprintf("%02d-%s-%s-%s", i, scale, trend, season)
				cases = append(cases, c)
				i++
			}
		}
	}
	return cases
}

// generate draws one case.
func generate(rng *rand.Rand, i int, scale, trend, season string) Case {
	p := profile(rng, scale, trend, season)
	n := (8 + rng.IntN(3)) * 7 * 24
	g := newSignal(rng, p, n)
	events := placeEvents(rng, i, n)
	for k := range events {
		g.inject(rng, &events[k])
	}
	g.finish()
	g.dropStretches(rng, events)
	s := detector.Series{Start: firstBucket, Step: time.Hour, Values: g.values}
	c := Case{Series: s, Events: events, Profile: p}
	for k := range c.Events {
		e := &c.Events[k]
		e.Window = backtest.Window{Start: s.Time(e.Start), End: s.Time(e.End)}
		c.Labels = append(c.Labels, e.Window)
	}
	return c
}

// profile draws the normal behaviour of a series of the given kind.
func profile(rng *rand.Rand, scale, trend, season string) Profile {
	u := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	p := Profile{Scale: scale, DF: []int{4, 6, 10, 30, 0}[rng.IntN(5)]}
	switch scale {
	case "tens":
		p.Level, p.Noise = u(10, 60), u(0, 0.1)
	case "thousands":
		p.Level, p.Noise = u(1e3, 2e4), u(0.02, 0.08)
	case "millions":
		p.Level, p.Noise = u(2e5, 3e6), u(0.005, 0.03)
	case "ratio":
		p.Level, p.Noise = u(0.02, 0.5), u(0.04, 0.15)
	}
	switch season {
	case "daily+weekly":
		p.Daily, p.Weekly = u(0.35, 0.6), u(0.2, 0.4)
	case "daily":
		p.Daily, p.Weekly = u(0.3, 0.5), u(0, 0.05)
	case "weak":
		p.Daily, p.Weekly = u(0.05, 0.15), u(0.05, 0.15)
	}
	switch trend {
	case "up":
		p.Trend = u(0.2, 0.6)
	case "down":
		p.Trend = -u(0.15, 0.4)
	}
	return p
}

// placeEvents places two to four events after the warm-up, each in its own
// slot of the remaining buckets, separated from each other and from the
// series' end, with kinds rotating through Kinds across cases.
func placeEvents(rng *rand.Rand, i, n int) []Event {
	m := 2 + rng.IntN(3)
	first, last := Warmup+24, n-24
	slot := (last - first) / m
	events := make([]Event, m)
	for k := range events {
		kind := Kinds[(i+k*2)%len(Kinds)]
		d := duration(rng, kind)
		lo := first + k*slot
		hi := max(lo, lo+slot-separation-d)
		start := lo + rng.IntN(hi-lo+1)
		events[k] = Event{Kind: kind, Start: start, End: start + d - 1}
	}
	return events
}

// duration draws an event's length in buckets.
func duration(rng *rand.Rand, k Kind) int {
	switch k {
	case Spike:
		return 1 + rng.IntN(2)
	case Dip:
		return 1 + rng.IntN(3)
	case Shift:
		return 6 + rng.IntN(43)
	case Drift:
		return 24 + rng.IntN(49)
	}
	return 12 + rng.IntN(37)
}
