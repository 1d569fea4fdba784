package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/sources"
)

// completeRefs is how many buckets that ended at least twice max_wait
// before now a completeness query reads at the least, to learn the usual
// arrival curve from, whatever history the method needs.
const completeRefs = 48

// completion is what the completeness check of one evaluation found.
type completion struct {
	// fills are the verdicts on the buckets from the oldest one past
	// max_wait to the newest one, oldest first.
	fills []detector.Fullness
	late  *detector.Fullness // the oldest one, when it is late
}

// query runs r's query q for the bucket *latest, the latest settled as of
// now. Without completeness it is q as it is. With completeness the query
// also counts arrivals, and *latest becomes the newest bucket that, with
// every bucket from the oldest one past max_wait on, is complete; or that
// oldest bucket when it is late. When there is too little history to learn
// how data arrives, the delay alone decides.
func query(ctx context.Context, r Rule, q sources.Query, now time.Time, latest *time.Time) (detector.Series, *completion, error) {
	c := r.Metric.Completeness
	if !c.Enabled() {
		s, err := r.Source.Query(ctx, q)
		return s, nil, err
	}
	src, ok := r.Source.(sources.ArrivalSource)
	if !ok {
		return detector.Series{}, nil, fmt.Errorf("completeness: source %s cannot count arrivals", r.SourceName)
	}
	if c.MaxWait <= r.Metric.Delay {
		return detector.Series{}, nil, fmt.Errorf("completeness: max_wait %v must be longer than delay %v", c.MaxWait, r.Metric.Delay)
	}
	q, oldest, err := arrivalQuery(q, c, now.Truncate(time.Second))
	if err != nil {
		return detector.Series{}, nil, err
	}
	s, a, err := src.QueryArrivals(ctx, q)
	if err != nil {
		return s, nil, err
	}
	from, ok := s.Index(oldest)
	if !ok {
		return s, nil, fmt.Errorf("completeness: series of %d buckets from %s does not hold the bucket at %s",
			s.Len(), s.Start.Format(time.RFC3339), oldest.Format(time.RFC3339))
	}
	fills, err := detector.Completeness{Min: c.Min, MaxWait: c.MaxWait}.Judge(s, a, from)
	if errors.Is(err, detector.ErrNotEnoughData) {
		return s, nil, nil
	}
	if err != nil {
		return s, nil, err
	}
	done := &completion{fills: fills}
	*latest = done.settle(*latest)
	return s, done, nil
}

// arrivalQuery extends q for completeness as of now: through the bucket
// that holds now (the one before, when now is a bucket start), back far
// enough for completeRefs reference buckets, probed at the age of every
// bucket from that one back to the first that ended at least max_wait
// before now, which it returns.
func arrivalQuery(q sources.Query, c config.Completeness, now time.Time) (sources.Query, time.Time, error) {
	gran, loc := q.Granularity, q.Loc()
	b := sources.Floor(now, gran, loc)
	if !b.Before(now) {
		b = shift(b, gran, loc, -1) // a bucket that starts now has nothing yet
	}
	q.To = shift(b, gran, loc, 1)
	var probes []time.Duration
	for {
		probes = append(probes, now.Sub(b))
		if now.Sub(shift(b, gran, loc, 1)) >= c.MaxWait {
			break
		}
		if len(probes) == sources.MaxProbes {
			return q, b, fmt.Errorf("completeness: max_wait %v spans more than %d buckets of %v", c.MaxWait, sources.MaxProbes, gran)
		}
		b = shift(b, gran, loc, -1)
	}
	refs := shift(sources.Floor(now.Add(-2*c.MaxWait), gran, loc), gran, loc, -completeRefs)
	if refs.Before(q.From) {
		q.From = refs
	}
	q.Arrival, q.Now, q.Probes = c.Arrival, now, probes
	return q, b, nil
}

// settle returns the bucket to judge: the oldest bucket past max_wait when
// it is late; otherwise the newest bucket, at most latest, that with every
// bucket before it from that oldest one on is complete. A bucket never
// jumps ahead of one whose data is still arriving.
func (c *completion) settle(latest time.Time) time.Time {
	first := c.fills[0]
	if first.Readiness == detector.Late {
		c.late = &c.fills[0]
		return first.Time
	}
	bucket := first.Time
	for _, f := range c.fills[1:] {
		if f.Time.After(latest) || f.Readiness != detector.Complete {
			break
		}
		bucket = f.Time
	}
	return bucket
}

// mark turns the verdict on a late bucket, the last of pts, into a
// late-data verdict. A nil completion leaves pts as they are.
func (c *completion) mark(pts []detector.Point) []detector.Point {
	if c == nil || c.late == nil || len(pts) == 0 {
		return pts
	}
	if last := &pts[len(pts)-1]; last.Time.Equal(c.late.Time) {
		*last = c.late.Mark(*last)
	}
	return pts
}
