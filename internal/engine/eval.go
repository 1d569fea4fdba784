package engine

import (
	"context"
	"fmt"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/sources"
)

// judged is how many of the latest settled buckets each evaluation judges:
// the last one decides, the others give an alert its recent history.
const judged = 48

// evaluate queries r's window and judges its latest settled buckets as of
// now. It never judges a bucket that has not settled.
func evaluate(ctx context.Context, r Rule, now time.Time) Result {
	m := r.Metric
	if m.Granularity <= 0 {
		return evaluateBucket(ctx, r, time.Time{}, now)
	}
	return evaluateBucket(ctx, r, LatestSettled(now, m.Granularity, m.Delay, location(m)), now)
}

// evaluateBucket queries r's window ending with the bucket starting at
// bucket and judges its last buckets, bucket the last of them. Whether the
// bucket has settled is the caller's business; now is when the data is
// read, which completeness checks need.
func evaluateBucket(ctx context.Context, r Rule, bucket, now time.Time) (res Result) {
	start := time.Now()
	m := r.Metric
	loc := location(m)
	res = Result{Rule: m.Name, Source: r.SourceName, Location: loc, Granularity: m.Granularity, History: m.Detect.History}
	defer func() { res.Duration = time.Since(start) }()
	if m.Granularity <= 0 {
		res.Err = fmt.Errorf("granularity %v: must be positive", m.Granularity)
		return res
	}
	res.Bucket = bucket
	q := window(m, res.Bucket)
	s, done, err := query(ctx, r, q, now, &res.Bucket) // with completeness, Bucket may move back
	if err != nil {
		res.Err = fmt.Errorf("query %s: %w", r.SourceName, err)
		return res
	}
	s, from, err := cut(s, q, res.Bucket)
	if err != nil {
		res.Err = fmt.Errorf("query %s: %w", r.SourceName, err)
		return res
	}
	res.Series = s
	pts, err := r.Detector.Detect(s, from)
	if err != nil {
		res.Err = fmt.Errorf("detect: %w", err)
		return res
	}
	res.Points = done.mark(pts)
	if _, ok := res.Latest(); !ok {
		res.Err = fmt.Errorf("detect: no verdict on the bucket at %s", res.Bucket.In(loc).Format(time.RFC3339))
	}
	return res
}

// LatestSettled returns the start of the latest bucket of width gran in loc
// that has settled at now: bucket [t, t+gran) settles when t+gran+delay <= now.
func LatestSettled(now time.Time, gran, delay time.Duration, loc *time.Location) time.Time {
	open := sources.Floor(now.Add(-delay), gran, loc) // contains now-delay, so not settled yet
	return shift(open, gran, loc, -1)
}

// shift moves the bucket start t by n buckets of width gran, in calendar
// days in loc when gran is a whole number of days.
func shift(t time.Time, gran time.Duration, loc *time.Location, n int) time.Time {
	return detector.Series{Start: t, Step: gran, Loc: loc}.Time(n)
}

// window is the query for rule m whose series ends with the bucket latest:
// the judged buckets preceded by the detector's history.
func window(m config.Metric, latest time.Time) sources.Query {
	loc := location(m)
	first := shift(latest, m.Granularity, loc, -(judged - 1))
	history := int((m.Detect.History + m.Granularity - 1) / m.Granularity)
	return sources.Query{
		Rule:        m.Name,
		Table:       m.Table,
		Timestamp:   m.Timestamp,
		Value:       m.Value,
		Numerator:   m.Numerator,
		Denominator: m.Denominator,
		Filter:      m.Filter,
		SQL:         m.SQL,
		Granularity: m.Granularity,
		Location:    loc,
		From:        shift(first, m.Granularity, loc, -history),
		To:          shift(latest, m.Granularity, loc, 1),
		FillZero:    m.FillZero,
	}
}

// cut checks the source's series against the query, drops any bucket after
// latest so that a partial bucket can never be judged, and returns the index
// of the first judged bucket.
func cut(s detector.Series, q sources.Query, latest time.Time) (detector.Series, int, error) {
	if s.Step != q.Granularity {
		return s, 0, fmt.Errorf("series step %v, want %v", s.Step, q.Granularity)
	}
	end, ok := s.Index(latest)
	if !ok || !s.Time(end).Equal(latest) {
		return s, 0, fmt.Errorf("series of %d buckets from %s does not hold the bucket at %s",
			s.Len(), s.Start.Format(time.RFC3339), latest.Format(time.RFC3339))
	}
	if s.Weight != nil && len(s.Weight) != len(s.Values) {
		return s, 0, fmt.Errorf("series has %d weights for %d values", len(s.Weight), len(s.Values))
	}
	s.Values = s.Values[:end+1]
	if s.Weight != nil {
		s.Weight = s.Weight[:end+1]
	}
	first, _ := s.Index(shift(latest, q.Granularity, q.Location, -(judged - 1)))
	return s, max(first, 0), nil
}

func location(m config.Metric) *time.Location {
	if m.Location == nil {
		return time.UTC
	}
	return m.Location
}
