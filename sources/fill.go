package sources

import (
	"errors"
	"fmt"
	"math"
	"time"

	"vigil/detector"
)

// ErrBadRow marks a result row that does not fit the query's buckets: a
// bucket outside [From, To), not at a bucket start, or given twice. It points
// at raw SQL that ignores {{from}} and {{to}} or buckets differently, or at a
// dialect bug; either way no row is silently dropped. Test with errors.Is.
var ErrBadRow = errors.New("bad result row")

// Row is one bucket of a query's result. For a ratio metric Value is
// numerator/denominator (NaN when the denominator is 0) and Weight is the
// denominator; otherwise Weight is unused.
type Row struct {
	Bucket time.Time
	Value  float64
	Weight float64
	// Arrived holds, for a query with Arrival, the rows of the bucket that
	// had arrived by its start plus each probe, then by Now; Newest is the
	// latest arrival at or before Now (zero when none). Fill ignores both.
	Arrived []float64
	Newest  time.Time
}

// RatioRow builds the row of a ratio metric from its sums.
func RatioRow(bucket time.Time, num, den float64) Row {
	v := math.NaN()
	if den != 0 {
		v = num / den
	}
	return Row{Bucket: bucket, Value: v, Weight: den}
}

// Fill lays rows out as the regular series of q over [From, To).
//
// A bucket without a row is missing (NaN), or zero when q.FillZero is set.
// For a ratio the series carries Weight: the denominator of each bucket, 0
// where no row came back; a ratio's missing bucket stays NaN even with
// FillZero, since 0/0 has no value. A NaN in a row stays NaN: the data said
// there was no value (a sum over only NULLs, say).
//
// Rows must be in the window, at bucket starts, and unique; any other row is
// an error wrapping ErrBadRow that names the rule and the bucket. Order does
// not matter.
func Fill(q Query, rows []Row) (detector.Series, error) {
	if err := q.Validate(); err != nil {
		return detector.Series{}, err
	}
	s := newSeries(q)
	seen := make([]bool, len(s.Values))
	for _, r := range rows {
		i, err := index(q, r.Bucket)
		if err != nil {
			return detector.Series{}, err
		}
		if seen[i] {
			return detector.Series{}, badRow(q, r.Bucket, "comes back twice")
		}
		seen[i] = true
		s.Values[i] = r.Value
		if s.Weight != nil {
			s.Weight[i] = r.Weight
		}
	}
	return s, nil
}

// newSeries returns q's series with every bucket absent.
func newSeries(q Query) detector.Series {
	n := q.Buckets()
	s := detector.Series{Start: q.From.In(q.Loc()), Step: q.Granularity, Loc: q.Loc(), Values: make([]float64, n)}
	absent := math.NaN()
	if q.FillZero && q.Kind() != KindRatio {
		absent = 0
	}
	for i := range s.Values {
		s.Values[i] = absent
	}
	if q.Kind() == KindRatio {
		s.Weight = make([]float64, n)
	}
	return s
}

// index returns the position of bucket t in q's series, or an ErrBadRow.
func index(q Query, t time.Time) (int, error) {
	if t.IsZero() {
		return 0, badRow(q, t, "has no bucket time")
	}
	if t.Before(q.From) || !t.Before(q.To) {
		return 0, badRow(q, t, fmt.Sprintf("is outside the window [%s, %s)", stamp(q.From), stamp(q.To)))
	}
	if f := Floor(t, q.Granularity, q.Loc()); !f.Equal(t) {
		return 0, badRow(q, t, fmt.Sprintf("is not a bucket start of %v in %s (that bucket starts %s)",
			q.Granularity, q.Loc(), stamp(f)))
	}
	return int(bucketIndex(q.From, t, q.Granularity, q.Loc())), nil
}

func badRow(q Query, t time.Time, problem string) error {
	return fmt.Errorf("rule %q: %w: bucket %s %s", q.Rule, ErrBadRow, stamp(t.In(q.Loc())), problem)
}
