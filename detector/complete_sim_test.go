package detector

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// completeSim simulates rows of an hourly metric, each with the time it
// happened in its bucket and the time it arrived in the warehouse, so that
// tests know the truth behind every count.
type completeSim struct {
	start   time.Time
	step    time.Duration
	now     time.Time
	arrived [][]time.Time // per bucket, the arrival time of each row that arrived
	total   []float64     // per bucket, the rows that happened, arrived or not
}

// completeWorld describes a simulation: volume per bucket, how long rows
// take to arrive, and what goes wrong.
type completeWorld struct {
	buckets int
	volume  func(i int) float64 // mean rows of bucket i
	// lag returns a row's arrival time from the time it happened.
	lag func(rng *rand.Rand, happened time.Time) time.Time
	// stall, when set, is the moment from which nothing arrives.
	stall time.Time
	// into is how far into the bucket after the last one now lies.
	into time.Duration
	seed uint64
}

var completeT0 = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)

// exponentialLag makes rows arrive after an exponential lag of the given
// mean.
func exponentialLag(mean time.Duration) func(*rand.Rand, time.Time) time.Time {
	return func(rng *rand.Rand, t time.Time) time.Time {
		return t.Add(time.Duration(rng.ExpFloat64() * float64(mean)))
	}
}

// batchLag makes rows arrive with the first load after they happened, loads
// running every period from phase past midnight.
func batchLag(period, phase time.Duration) func(*rand.Rand, time.Time) time.Time {
	return func(_ *rand.Rand, t time.Time) time.Time {
		base := completeT0.Add(phase)
		n := math.Ceil(float64(t.Sub(base)) / float64(period))
		return base.Add(time.Duration(n) * period)
	}
}

func (w completeWorld) run() completeSim {
	rng := rand.New(rand.NewPCG(w.seed, 7))
	s := completeSim{start: completeT0, step: time.Hour, now: completeT0.Add(time.Duration(w.buckets-1)*time.Hour + w.into)}
	s.arrived = make([][]time.Time, w.buckets)
	s.total = make([]float64, w.buckets)
	for i := range w.buckets {
		b := completeT0.Add(time.Duration(i) * time.Hour)
		n := completePoisson(rng, w.volume(i))
		for range n {
			happened := b.Add(time.Duration(rng.Float64() * float64(time.Hour)))
			if happened.After(s.now) {
				continue
			}
			s.total[i]++
			at := w.lag(rng, happened)
			if !w.stall.IsZero() && at.After(w.stall) {
				at = at.Add(1000 * time.Hour) // arrives long after now
			}
			s.arrived[i] = append(s.arrived[i], at)
		}
	}
	return s
}

// completePoisson draws a Poisson count of mean m (normal approximation
// above 50).
func completePoisson(rng *rand.Rand, m float64) int {
	if m > 50 {
		return max(0, int(math.Round(m+math.Sqrt(m)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// probes returns the offsets the engine would probe: those of every bucket
// from the open one back to the first at least maxWait old, and the index
// of that bucket.
func (s completeSim) probes(maxWait time.Duration) ([]time.Duration, int) {
	var out []time.Duration
	for i := len(s.arrived) - 1; i >= 0; i-- {
		start := s.start.Add(time.Duration(i) * s.step)
		if s.now.Sub(start) > 0 {
			out = append(out, s.now.Sub(start))
		}
		if s.now.Sub(start.Add(s.step)) >= maxWait {
			return out, i
		}
	}
	return out, 0
}

// series and arrivals give what a source returns for the simulation.
func (s completeSim) series() Series {
	return Series{Start: s.start, Step: s.step, Values: make([]float64, len(s.arrived))}
}

func (s completeSim) arrivals(probes []time.Duration) Arrivals {
	a := Arrivals{Now: s.now, Probes: probes, Arrived: make([][]float64, len(s.arrived)), Final: make([]float64, len(s.arrived))}
	for i, rows := range s.arrived {
		start := s.start.Add(time.Duration(i) * s.step)
		a.Final[i] = completeCount(rows, s.now)
		for _, t := range rows {
			if !t.After(s.now) && t.After(a.Newest) {
				a.Newest = t
			}
		}
		a.Arrived[i] = make([]float64, len(probes))
		for k, p := range probes {
			if start.Add(p).After(s.now) {
				a.Arrived[i][k] = math.NaN()
				continue
			}
			a.Arrived[i][k] = completeCount(rows, start.Add(p))
		}
	}
	return a
}

func completeCount(arrived []time.Time, by time.Time) float64 {
	n := 0
	for _, t := range arrived {
		if !t.After(by) {
			n++
		}
	}
	return float64(n)
}

// judgeSim runs c over the simulation as the engine would.
func judgeSim(c Completeness, s completeSim) ([]Fullness, error) {
	probes, from := s.probes(c.MaxWait)
	return c.Judge(s.series(), s.arrivals(probes), from)
}

// checkSound fails when a bucket judged complete holds less than min of
// its rows, or one judged late holds all of them (with a tolerance for
// rows that happened but arrive after now as they usually do).
func checkSound(t *testing.T, c Completeness, s completeSim, got []Fullness) {
	t.Helper()
	for _, f := range got {
		if s.total[f.Index] == 0 {
			continue
		}
		share := f.Arrived / s.total[f.Index]
		if f.Readiness == Complete && share < c.min()-0.05 {
			t.Errorf("bucket %s aged %v is complete with %.0f%% of its rows", f.Time.Format("15:04"), f.Age, 100*share)
		}
		if f.Readiness == Late && share >= c.min() {
			t.Errorf("bucket %s aged %v is late with %.0f%% of its rows (%s)", f.Time.Format("15:04"), f.Age, 100*share, f.Reason)
		}
	}
}
