package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"vigil/config"
	"vigil/detector"
	"vigil/sources"
)

// BacktestResult is what a rule would have said over a past range, had the
// daemon been running: its verdict on every bucket it would have judged,
// and the incidents its alerts form.
type BacktestResult struct {
	Rule        string
	Source      string
	Method      string         // how the rule judges, for people
	Location    *time.Location // the rule's zone
	Granularity time.Duration
	// First and Last are the first and the last bucket of the range: the
	// buckets that start at or after from and had settled by to. Last is
	// before First when no bucket had.
	First, Last time.Time
	// Points are the verdicts on the buckets of the range that the rule's
	// schedule evaluates as its latest settled bucket, oldest first: with a
	// schedule at least as frequent as the granularity, every bucket.
	Points    []detector.Point
	Incidents []Incident
	Query     sources.Query // the one query run
	// Err is why the rule could not be replayed; it wraps
	// detector.ErrNotEnoughData when the history was too short to judge
	// any bucket of the range.
	Err      error
	Duration time.Duration
}

// Incident is a run of alerts: it opens on an anomalous verdict and ends
// at the next bucket judged within its band, as the daemon's incidents do;
// buckets without data neither extend nor end it.
type Incident struct {
	Start  time.Time // start of the first anomalous bucket
	End    time.Time // end of the last anomalous bucket
	Alerts int
}

// Duration returns how long the incident lasted, from the start of its
// first bucket to the end of its last.
func (i Incident) Duration() time.Duration { return i.End.Sub(i.Start) }

// Alerts returns the anomalous verdicts, oldest first.
func (r BacktestResult) Alerts() []detector.Point {
	var out []detector.Point
	for _, p := range r.Points {
		if p.Anomaly {
			out = append(out, p)
		}
	}
	return out
}

// Judged returns how many buckets got an estimate, with or without a value.
func (r BacktestResult) Judged() int {
	n := 0
	for _, p := range r.Points {
		if p.Judged() {
			n++
		}
	}
	return n
}

// Span returns the length of the range, from First to the end of Last; 0
// when it holds no bucket.
func (r BacktestResult) Span() time.Duration {
	if r.Last.Before(r.First) || r.Granularity <= 0 {
		return 0
	}
	return shift(r.Last, r.Granularity, r.Location, 1).Sub(r.First)
}

// Longest returns the longest incident, the earliest of equals.
func (r BacktestResult) Longest() (Incident, bool) {
	var best Incident
	for _, in := range r.Incidents {
		if in.Duration() > best.Duration() {
			best = in
		}
	}
	return best, len(r.Incidents) > 0
}

// Backtest replays rule r over the past: it judges the buckets that start
// at or after from and had settled by to (t + granularity + delay <= to,
// so a bucket the daemon would not yet have judged at to is left out),
// each only from the data before it, with the rule's own source and
// detector. It runs one query, covering the range and what the daemon's
// query had before its first bucket, and one Detect call: the detector
// contract (no look-ahead) keeps each verdict to the data before its
// bucket, and methods that read a bounded history reach the daemon's
// verdict exactly (those that fit from where the series starts come
// close). Of those verdicts it keeps the buckets the rule's schedule
// evaluates. Nothing is notified.
func Backtest(ctx context.Context, r Rule, from, to time.Time) (BacktestResult, error) {
	start := time.Now()
	res, err := backtest(ctx, r, from, to)
	res.Err, res.Duration = err, time.Since(start)
	return res, err
}

func backtest(ctx context.Context, r Rule, from, to time.Time) (BacktestResult, error) {
	m := r.Metric
	loc := location(m)
	g := m.Granularity
	res := BacktestResult{Rule: m.Name, Source: r.SourceName, Method: r.Method, Location: loc, Granularity: g}
	if res.Method == "" {
		res.Method = m.Detect.Method
	}
	if g <= 0 {
		return res, fmt.Errorf("granularity %v: must be positive", g)
	}
	if !to.After(from) {
		return res, fmt.Errorf("range: %s is not before %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	next, err := activations(m, from)
	if err != nil {
		return res, err
	}
	res.First, res.Last = firstBucket(from, g, loc), LatestSettled(to, g, m.Delay, loc)
	if res.Last.Before(res.First) {
		return res, nil
	}
	s, i0, err := backtestSeries(ctx, r, res.First, res.Last, &res.Query)
	if err != nil {
		return res, err
	}
	pts, err := r.Detector.Detect(s, i0)
	if err != nil {
		return res, fmt.Errorf("detect: %w", err)
	}
	if len(pts) != s.Len()-i0 {
		return res, fmt.Errorf("detect: %d verdicts for %d buckets", len(pts), s.Len()-i0)
	}
	res.Points = evaluated(pts, next, g, m.Delay, loc, to)
	res.Incidents = incidents(res.Points, g, loc)
	return res, nil
}

// firstBucket returns the first bucket that starts at or after t.
func firstBucket(t time.Time, g time.Duration, loc *time.Location) time.Time {
	b := sources.Floor(t, g, loc)
	if b.Before(t) {
		b = shift(b, g, loc, 1)
	}
	return b
}

// backtestSeries queries r's series up to last, starting where the
// daemon's query would have when it judged first, and returns it cut after
// last with the index of first. Each bucket thus has at least the data the
// daemon had before it: the detector's history and the judged buckets
// before it, which some methods read as well (the seasonal method pools
// the spread of neighbouring slots).
func backtestSeries(ctx context.Context, r Rule, first, last time.Time, q *sources.Query) (detector.Series, int, error) {
	m := r.Metric
	*q = window(m, last)
	q.From = window(m, first).From
	s, err := r.Source.Query(ctx, *q)
	if err != nil {
		return s, 0, fmt.Errorf("query %s: %w", r.SourceName, err)
	}
	if s, _, err = cut(s, *q, last); err != nil {
		return s, 0, fmt.Errorf("query %s: %w", r.SourceName, err)
	}
	i0, _ := s.Index(first)
	return s, max(i0, 0), nil
}

// activations returns a function giving the first activation of m's
// schedule at or after t, zero when there is none. An @every schedule
// counts from start, as if the daemon had been started then.
func activations(m config.Metric, start time.Time) (func(t time.Time) time.Time, error) {
	spec := m.Schedule
	if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
		spec = "CRON_TZ=" + location(m).String() + " " + spec
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", m.Schedule, err)
	}
	if every, ok := s.(cron.ConstantDelaySchedule); ok {
		d := every.Delay
		return func(t time.Time) time.Time {
			if !t.After(start) {
				return start
			}
			k := (t.Sub(start) + d - 1) / d
			return start.Add(k * d)
		}, nil
	}
	// Next gives the first activation after its argument, in whole seconds.
	return func(t time.Time) time.Time { return s.Next(t.Add(-time.Nanosecond)) }, nil
}

// evaluated keeps the verdicts on the buckets that some activation up to
// to evaluates as its latest settled bucket: bucket b is the latest settled
// from the end of b plus the delay until the next bucket settles.
func evaluated(pts []detector.Point, next func(time.Time) time.Time, g, delay time.Duration, loc *time.Location, to time.Time) []detector.Point {
	settle := func(i int) time.Time { return shift(pts[i].Time, g, loc, 1).Add(delay) }
	out := make([]detector.Point, 0, len(pts))
	for i := 0; i < len(pts); {
		t := next(settle(i))
		if t.IsZero() || t.After(to) {
			break
		}
		for i+1 < len(pts) && !settle(i+1).After(t) {
			i++ // settled and superseded before t: never the latest at an activation
		}
		out = append(out, pts[i])
		i++
	}
	return out
}

// incidents groups the alerts among pts into incidents.
func incidents(pts []detector.Point, g time.Duration, loc *time.Location) []Incident {
	var out []Incident
	open := false
	for _, p := range pts {
		switch {
		case p.Anomaly && open:
			n := len(out) - 1
			out[n].End = shift(p.Time, g, loc, 1)
			out[n].Alerts++
		case p.Anomaly:
			out = append(out, Incident{Start: p.Time, End: shift(p.Time, g, loc, 1), Alerts: 1})
			open = true
		case p.Judged() && !math.IsNaN(p.Value):
			open = false
		}
	}
	return out
}

// Backtest replays the rules named in only (every rule when only is
// empty) over the range, as the function Backtest does, in parallel
// within each source's concurrency limit. It returns one result per rule
// in the engine's order, each with its error; progress, when set, is
// called as rules finish with the number done and the total.
func (e *Engine) Backtest(ctx context.Context, from, to time.Time, only []string, progress func(done, total int)) []BacktestResult {
	var rules []Rule
	for _, r := range e.rules {
		if len(only) == 0 || slices.Contains(only, r.Name()) {
			rules = append(rules, r)
		}
	}
	out := make([]BacktestResult, len(rules))
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for i, r := range rules {
		wg.Go(func() {
			out[i], _ = Backtest(ctx, r, from, to)
			log := e.log.With("rule", r.Name(), "source", r.SourceName)
			if err := out[i].Err; err != nil && !errors.Is(err, detector.ErrNotEnoughData) {
				log.Error("backtest failed", "err", err, "duration", out[i].Duration)
			} else {
				log.Debug("backtest done", "alerts", len(out[i].Alerts()), "duration", out[i].Duration)
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			if progress != nil {
				progress(done, len(rules))
			}
		})
	}
	wg.Wait()
	return out
}
