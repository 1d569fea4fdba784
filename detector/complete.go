package detector

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Arrivals says how much of each bucket of a series had arrived at several
// moments, counted from a column holding each row's arrival (ingestion)
// time. It is what Completeness judges.
type Arrivals struct {
	// Now is the moment of the evaluation: rows that arrived after it have
	// not arrived.
	Now time.Time
	// Probes are offsets from a bucket's start, ascending and positive.
	// Arrived[i][k] is the number of rows of bucket i that had arrived by
	// the bucket's start plus Probes[k]; it is NaN when that moment lies
	// after Now.
	Probes  []time.Duration
	Arrived [][]float64
	// Final is the number of rows of each bucket that had arrived by Now.
	Final []float64
	// Newest is the latest arrival, at or before Now, of any row of the
	// series; zero when it is not known.
	Newest time.Time
}

// Readiness is whether a bucket's data is complete enough to be judged.
type Readiness int8

// Readiness values. The zero value is Filling, so that a bucket nobody
// looked at is never judged.
const (
	Filling  Readiness = iota // still arriving: not judged yet
	Complete                  // judge it normally
	Late                      // older than the wait allowed and still incomplete
)

// String returns "filling", "complete" or "late".
func (r Readiness) String() string {
	switch r {
	case Complete:
		return "complete"
	case Late:
		return "late"
	}
	return "filling"
}

// Pace is how a bucket's rows are arriving compared with the usual.
type Pace int8

// Paces.
const (
	OnSchedule Pace = iota // nothing says otherwise: it holds the usual share for its age
	Stalled                // its rows stopped arriving, or slowed down, while reference buckets kept receiving theirs
	Empty                  // it has no rows at an age at which reference buckets almost always have some
)

// String returns "on schedule", "stalled" or "empty".
func (p Pace) String() string {
	switch p {
	case Stalled:
		return "stalled"
	case Empty:
		return "empty"
	}
	return "on schedule"
}

// Fullness is the completeness verdict on one bucket.
type Fullness struct {
	Index     int
	Time      time.Time     // bucket start
	Age       time.Duration // time since the bucket ended, at Now
	Readiness Readiness
	Pace      Pace
	Arrived   float64 // rows that have arrived
	// Share is the estimated share of the bucket's final rows that has
	// arrived: Usual when on schedule, 0 when empty, lower when stalled.
	Share float64
	// Usual is the share of their final rows that reference buckets held
	// at this age (the median).
	Usual float64
	// Likely is the share that 90% of reference buckets had reached at
	// this age: a bucket on schedule is complete when it is at least Min.
	Likely float64
	// Expected is the bucket's expected final number of rows, Arrived /
	// Share; NaN when the bucket is empty.
	Expected float64
	// Since is set when rows stopped arriving before the bucket was
	// complete: no row of any bucket has arrived since.
	Since  time.Time
	Reason string // in plain words, for buckets that are not complete
}

// Completeness judges whether the newest buckets of a series hold all their
// data, from when their rows arrived rather than from a fixed delay.
//
// It learns the usual arrival curve from reference buckets: those that ended
// at least twice MaxWait before Now, whose data is taken as final; of them,
// a bucket is compared with those that start at the same time of day when
// there are at least 20 with rows (so that batch loads on a daily schedule,
// and quiet nights, compare alike), else with all. At an age (counted from
// the bucket's start, so that buckets of different lengths compare), the
// usual share is the median share of their final rows that reference
// buckets held, and the likely share the one that 90% of them reached.
//
// A bucket is taken to be on schedule, holding the likely share for its
// age, unless its own arrivals say otherwise in a way that does not depend
// on its size, so that a drop in volume is never mistaken for late data:
//
//   - Empty: it has no rows at an age at which buckets usually hold at
//     least Min of theirs, and at most 5% of reference buckets had none.
//     Its share is 0. (A drop to nothing looks the same, and is reported
//     as late data too: no rows are arriving.)
//   - Stalled: since a moment after the bucket ended, it gained far fewer
//     rows than reference buckets (all, and those at its time of day)
//     gained from that age on, in proportion to the rows each held then:
//     fewer than in 95% of them, and fewer than a Poisson count of the
//     usual gain at level 0.1% (adjusted for the moments tried). Its share is its rows over the rows expected from
//     its count at that moment, the lowest over such moments; when rows
//     stopped before the bucket ended, it is overstated. Batch loads,
//     where a bucket's rows come at once, do not look stalled: reference
//     buckets then gain nothing either, or, when the loads run on a daily
//     schedule, those at the same time of day gain alike.
//
// Once a bucket is empty or stalled, or a young one is empty where
// reference buckets almost never are, rows may have stopped arriving, and
// Newest says since when: every bucket then holds no more than buckets
// usually hold at the age it had at Newest, and is stalled when that is
// too little (judged at the first probe at or after that age, so that a
// batch that came just before is not missed; the share reported is the
// curve taken as a straight line between probes). This catches the bucket
// that was filling when rows stopped, however few rows it had.
//
// A bucket on schedule is Complete when its likely share is at least Min,
// or, once it is older than MaxWait, its usual share; a bucket that is
// stalled, when its share is. Otherwise it is Filling while younger than
// MaxWait, and Late from then on.
type Completeness struct {
	// Min is the share of a bucket's rows that must have arrived before it
	// is judged, above 0 and at most 1; 0 means 0.95.
	Min float64
	// MaxWait is the age (time since the bucket ended) after which a bucket
	// that is not complete is late. It must be positive.
	MaxWait time.Duration
}

// Defaults and levels of Completeness.
const (
	completeDefaultMin = 0.95
	// completeMinRefs is the fewest reference buckets that give a usual
	// share; with fewer, Judge returns ErrNotEnoughData.
	completeMinRefs    = 10
	completeEmptyLevel = 0.05  // empirical level of the empty test
	completeStallRank  = 0.05  // empirical level of the stall test
	completeStallLevel = 0.001 // Poisson level of the stall test, before the adjustment
	completeLikely     = 0.1   // quantile of the reference shares that a bucket on schedule is taken to hold
	completeSlotRefs   = 20    // references at a bucket's time of day that replace all of them
)

func (c Completeness) min() float64 {
	if c.Min == 0 {
		return completeDefaultMin
	}
	return c.Min
}

func (c Completeness) validate() error {
	switch {
	case math.IsNaN(c.Min) || c.Min < 0 || c.Min > 1:
		return fmt.Errorf("completeness: min must be above 0 and at most 1, got %v", c.Min)
	case c.MaxWait <= 0:
		return fmt.Errorf("completeness: max wait must be positive, got %v", c.MaxWait)
	}
	return nil
}

// Judge returns the verdicts on the buckets of s from index from to its
// end, oldest first. Only s's grid (Start, Step, Loc and length) is read;
// a holds the arrivals of the same buckets. It returns an error wrapping
// ErrNotEnoughData when fewer than 10 reference buckets hold rows.
func (c Completeness) Judge(s Series, a Arrivals, from int) ([]Fullness, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := checkArrivals(s, a, from); err != nil {
		return nil, err
	}
	refs := c.references(s, a, from)
	if n := countPositive(a.Final, refs); n < completeMinRefs {
		return nil, fmt.Errorf("completeness: %d reference buckets with rows (ended %v before now), need %d: %w",
			n, 2*c.MaxWait, completeMinRefs, ErrNotEnoughData)
	}
	out := make([]Fullness, 0, s.Len()-from)
	for i := from; i < s.Len(); i++ {
		out = append(out, c.judge(s, a, refs, i))
	}
	c.stopped(s, a, refs, out)
	return out, nil
}

// references returns the buckets before from that ended at least twice
// MaxWait before Now.
func (c Completeness) references(s Series, a Arrivals, from int) []int {
	var refs []int
	limit := a.Now.Add(-2 * c.MaxWait)
	for i := 0; i < from; i++ {
		if !s.Time(i+1).After(limit) && !math.IsNaN(a.Final[i]) {
			refs = append(refs, i)
		}
	}
	return refs
}

func countPositive(x []float64, idx []int) int {
	n := 0
	for _, i := range idx {
		if x[i] > 0 {
			n++
		}
	}
	return n
}

// checkArrivals reports arrivals that do not fit the series.
func checkArrivals(s Series, a Arrivals, from int) error {
	n := s.Len()
	switch {
	case s.Step <= 0:
		return fmt.Errorf("completeness: series step %v is not positive", s.Step)
	case a.Now.IsZero():
		return errors.New("completeness: arrivals have no time of evaluation")
	case len(a.Probes) == 0:
		return errors.New("completeness: arrivals have no probes")
	case len(a.Final) != n || len(a.Arrived) != n:
		return fmt.Errorf("completeness: %d final and %d arrived counts for %d buckets", len(a.Final), len(a.Arrived), n)
	case from < 0 || from >= n:
		return fmt.Errorf("completeness: from %d is outside the series (0 to %d)", from, n-1)
	}
	for k, p := range a.Probes {
		if p <= 0 || k > 0 && p <= a.Probes[k-1] {
			return fmt.Errorf("completeness: probes must be positive and ascending, got %v", a.Probes)
		}
	}
	for i, row := range a.Arrived {
		if len(row) != len(a.Probes) {
			return fmt.Errorf("completeness: bucket %d has %d arrived counts for %d probes", i, len(row), len(a.Probes))
		}
		if err := checkCounts(i, a.Final[i]); err != nil {
			return err
		}
		for _, v := range row {
			if err := checkCounts(i, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkCounts reports a row count that cannot be one; NaN stands for a
// count not known.
func checkCounts(i int, v float64) error {
	if v < 0 || math.IsInf(v, 0) {
		return fmt.Errorf("completeness: bucket %d has a row count of %v", i, v)
	}
	return nil
}
