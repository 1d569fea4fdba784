package backtest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"vigil/detector"
)

// maxBuckets bounds the series a file may span, so that one mistyped year
// gives an error instead of exhausting memory.
const maxBuckets = 10_000_000

// roundSteps are the granularities an inferred spacing snaps to when it is
// within snapTolerance of one.
var roundSteps = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	20 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour,
	12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour,
}

const snapTolerance = 0.05

// NewInput maps records (Time and Value set, in input order) onto a regular
// series with o's granularity, inferred when it is zero, and sets each
// record's Bucket.
func NewInput(recs []Record, o Options) (Input, error) {
	if len(recs) == 0 {
		return Input{}, errors.New("no rows")
	}
	in := Input{Rows: slices.Clone(recs), Granularity: o.Granularity}
	if in.Granularity < 0 {
		return Input{}, fmt.Errorf("granularity must be positive, got %v", in.Granularity)
	}
	if in.Granularity == 0 {
		g, err := InferGranularity(recs)
		if err != nil {
			return Input{}, err
		}
		in.Granularity, in.Inferred = g, true
	}
	if err := in.grid(o.Location); err != nil {
		return Input{}, err
	}
	return in, nil
}

// InferGranularity returns the bucket length of rows that are regularly or
// almost regularly spaced: the median of the positive differences between
// consecutive distinct timestamps, snapped to a round step (1m, 5m, 15m,
// 1h, 1d, ...) when within 5% of one and otherwise rounded to the second.
// The median ignores gaps and a few irregular rows.
func InferGranularity(recs []Record) (time.Duration, error) {
	ts := make([]int64, len(recs))
	for i, r := range recs {
		ts[i] = r.Time.UnixNano()
	}
	slices.Sort(ts)
	var diffs []int64
	for i := 1; i < len(ts); i++ {
		if d := ts[i] - ts[i-1]; d > 0 {
			diffs = append(diffs, d)
		}
	}
	if len(diffs) == 0 {
		return 0, fmt.Errorf("cannot infer the granularity from %d rows with %d distinct timestamps; give it explicitly", len(recs), len(diffs)+1)
	}
	slices.Sort(diffs)
	med := time.Duration(diffs[(len(diffs)-1)/2])
	return snapStep(med), nil
}

func snapStep(d time.Duration) time.Duration {
	for _, s := range roundSteps {
		if math.Abs(float64(d-s)) <= snapTolerance*float64(s) {
			return s
		}
	}
	if d > time.Second {
		return d.Round(time.Second)
	}
	return d
}

// grid places the buckets, sets each record's Bucket and fills the series.
func (in *Input) grid(loc *time.Location) error {
	g := int64(in.Granularity)
	cal := detector.Series{Step: in.Granularity}.Calendar()
	given := loc
	if loc == nil {
		loc = time.UTC
	}
	axis := func(t time.Time) int64 { return t.UnixNano() }
	if cal {
		axis = func(t time.Time) int64 { return wallNanos(t, loc) }
	}
	phase := gridPhase(in.Rows, axis, g)
	k0, k1 := int64(math.MaxInt64), int64(math.MinInt64)
	ks := make([]int64, len(in.Rows))
	for i, r := range in.Rows {
		ks[i] = floorDiv(axis(r.Time)-phase+g/2, g)
		k0, k1 = min(k0, ks[i]), max(k1, ks[i])
	}
	if n := k1 - k0 + 1; n > maxBuckets || n < 0 {
		return fmt.Errorf("the timestamps span %d buckets of %v, more than %d; check for a mistyped date or give a coarser granularity", n, in.Granularity, maxBuckets)
	}
	in.Series = detector.Series{Step: in.Granularity, Start: gridTime(k0*g+phase, cal, loc), Values: make([]float64, k1-k0+1)}
	if cal || given != nil {
		in.Series.Loc = loc
	}
	for i := range in.Series.Values {
		in.Series.Values[i] = math.NaN()
	}
	for i := range in.Rows {
		in.Rows[i].Bucket = int(ks[i] - k0)
	}
	in.fill()
	return nil
}

// fill sets each bucket to the value of its latest observed row.
func (in *Input) fill() {
	owner := in.Owners()
	for b, i := range owner {
		if i >= 0 {
			in.Series.Values[b] = in.Rows[i].Value
		}
	}
}

// Owners returns, per bucket, the index of the row whose value the series
// holds: the latest observed row of the bucket by timestamp, ties going to
// the later row in the input; -1 when the bucket has no observed row.
func (in Input) Owners() []int {
	owner := make([]int, len(in.Series.Values))
	for i := range owner {
		owner[i] = -1
	}
	for i, r := range in.Rows {
		if math.IsNaN(r.Value) {
			continue
		}
		if o := owner[r.Bucket]; o < 0 || !r.Time.Before(in.Rows[o].Time) {
			owner[r.Bucket] = i
		}
	}
	return owner
}

// Shared returns the number of rows that share their bucket with another
// row whose value the series holds. Run judges each of them with a Detect
// call of its own, so many of them cost time, and they usually mean the
// granularity is coarser than the data's spacing.
func (in Input) Shared() int {
	owner, n := in.Owners(), 0
	for i, r := range in.Rows {
		if owner[r.Bucket] != i && owner[r.Bucket] >= 0 {
			n++
		}
	}
	return n
}

// wallNanos is t's wall-clock time in loc as nanoseconds since the epoch, an
// axis on which every calendar day is 24 hours long.
func wallNanos(t time.Time, loc *time.Location) int64 {
	_, off := t.In(loc).Zone()
	return t.UnixNano() + int64(off)*int64(time.Second)
}

// gridTime turns a point on the axis back into a time.
func gridTime(x int64, cal bool, loc *time.Location) time.Time {
	u := time.Unix(0, x).UTC()
	if !cal {
		return u
	}
	return time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), u.Nanosecond(), loc)
}

// gridPhase is the offset of the buckets from the epoch: the circular mean
// of the rows' offsets, so that jitter around any phase averages out. When
// the offsets spread over the whole bucket (data finer than the
// granularity), or the mean is within a tenth of a step of zero, it is
// zero: buckets aligned to the epoch, as the warehouse sources use.
// Otherwise it is rounded to the minute (steps of an hour or more) or the
// second (steps of a minute or more).
func gridPhase(recs []Record, axis func(time.Time) int64, g int64) int64 {
	var c, s float64
	for _, r := range recs {
		a := 2 * math.Pi * float64(floorMod(axis(r.Time), g)) / float64(g)
		c, s = c+math.Cos(a), s+math.Sin(a)
	}
	if math.Hypot(c, s) < 0.5*float64(len(recs)) {
		return 0 // the offsets spread over the bucket: no phase to follow
	}
	frac := math.Atan2(s, c) / (2 * math.Pi)
	if frac < 0 {
		frac++
	}
	if frac < 0.1 || frac > 0.9 {
		return 0
	}
	p := time.Duration(frac * float64(g))
	switch {
	case g >= int64(time.Hour):
		p = p.Round(time.Minute)
	case g >= int64(time.Minute):
		p = p.Round(time.Second)
	}
	return floorMod(int64(p), g)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// FromSeries returns an Input with one row per bucket of s, timestamped with
// the bucket's start in RFC 3339, for judging a series already in memory.
func FromSeries(s detector.Series) Input {
	in := Input{Series: s, Granularity: s.Step, Rows: make([]Record, len(s.Values))}
	for i, v := range s.Values {
		t := s.Time(i)
		in.Rows[i] = Record{Line: i + 2, Timestamp: t.Format(time.RFC3339), Time: t, Value: v, Bucket: i}
	}
	return in
}
