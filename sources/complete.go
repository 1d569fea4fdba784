package sources

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"vigil/detector"
)

// MaxProbes bounds the probes of one query: each is a column.
const MaxProbes = 100

// ArrivalSource is a Source that can also count, in the same aggregated
// query, when each bucket's rows arrived, for judging completeness.
type ArrivalSource interface {
	Source
	// QueryArrivals runs q, which sets Arrival, Now and Probes, and returns
	// its series and the arrivals of the same buckets.
	QueryArrivals(ctx context.Context, q Query) (detector.Series, detector.Arrivals, error)
}

// ValidateArrivals reports every problem that keeps q from counting
// arrivals, joined; q must be valid itself too (see Validate).
func (q Query) ValidateArrivals() error {
	var errs []error
	if strings.TrimSpace(q.Arrival) == "" {
		errs = append(errs, errors.New("arrival column is empty"))
	}
	if q.Kind() == KindSQL {
		errs = append(errs, errors.New("arrival needs the structured form (table, timestamp, value), not sql"))
	}
	if q.Now.IsZero() {
		errs = append(errs, errors.New("arrivals need the time of evaluation"))
	}
	switch n := len(q.Probes); {
	case n == 0:
		errs = append(errs, errors.New("arrivals need at least one probe"))
	case n > MaxProbes:
		errs = append(errs, fmt.Errorf("%d probes, more than %d", n, MaxProbes))
	}
	for k, p := range q.Probes {
		if p <= 0 || p%time.Second != 0 || k > 0 && p <= q.Probes[k-1] {
			errs = append(errs, fmt.Errorf("probes must be ascending positive whole seconds, got %v", q.Probes))
			break
		}
	}
	if len(errs) == 0 {
		return nil
	}
	for i, err := range errs {
		errs[i] = fmt.Errorf("rule %q: %w", q.Rule, err)
	}
	return errors.Join(errs...)
}

// ProbeSeconds returns q's probes in whole seconds, for SQL.
func (q Query) ProbeSeconds() []int64 {
	out := make([]int64, len(q.Probes))
	for k, p := range q.Probes {
		out[k] = int64(p / time.Second)
	}
	return out
}

// FillArrivals lays rows out as Fill does, and gathers their arrivals: a
// bucket without a row had no rows arrive, and a probe that lies after Now
// for a bucket is NaN, unknown yet. Each row must carry one count per
// probe and then the count by Now.
func FillArrivals(q Query, rows []Row) (detector.Series, detector.Arrivals, error) {
	if err := q.ValidateArrivals(); err != nil {
		return detector.Series{}, detector.Arrivals{}, err
	}
	s, err := Fill(q, rows)
	if err != nil {
		return detector.Series{}, detector.Arrivals{}, err
	}
	n, k := s.Len(), len(q.Probes)
	a := detector.Arrivals{Now: q.Now, Probes: q.Probes, Arrived: make([][]float64, n), Final: make([]float64, n)}
	for i := range n {
		a.Arrived[i] = make([]float64, k)
	}
	for _, r := range rows {
		if len(r.Arrived) != k+1 {
			return detector.Series{}, detector.Arrivals{}, fmt.Errorf("rule %q: %w: bucket %s has %d arrival counts, want %d",
				q.Rule, ErrBadRow, stamp(r.Bucket), len(r.Arrived), k+1)
		}
		i, _ := index(q, r.Bucket) // Fill checked it
		copy(a.Arrived[i], r.Arrived[:k])
		a.Final[i] = r.Arrived[k]
		if !r.Newest.After(q.Now) && r.Newest.After(a.Newest) {
			a.Newest = r.Newest
		}
	}
	for i := range n {
		for j, p := range q.Probes {
			if s.Time(i).Add(p).After(q.Now) {
				a.Arrived[i][j] = math.NaN()
			}
		}
	}
	return s, a, nil
}
