package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"vigil/detector"
	"vigil/detector/explain"
	"vigil/notifiers"
	"vigil/sources"
)

// Query retries. A failed query is tried again after about 1s, then 2s (with
// jitter), at most queryAttempts times in all, and never past the
// evaluation's deadline: a retry that could not finish in time is not
// started.
const (
	queryAttempts   = 3
	queryMinBackoff = time.Second
)

// Retry returns a Source that tries a failed query of src again with
// backoff, as long as ctx allows; failed calls are counted with failed
// (rule and the name of src). Put it outside Limit, so that a query waiting
// to retry does not hold a slot.
func Retry(src sources.Source, name string, failed func(rule, source string)) sources.Source {
	return &retrying{src: src, name: name, failed: failed, sleep: notifiers.Sleep}
}

type retrying struct {
	src    sources.Source
	name   string
	failed func(rule, source string)
	sleep  func(ctx context.Context, d time.Duration) error
}

func (r *retrying) Unwrap() sources.Source { return r.src }

func (r *retrying) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	var errs []error
	for attempt := 1; ; attempt++ {
		s, err := r.src.Query(ctx, q)
		if err == nil {
			return s, nil
		}
		if r.failed != nil && ctx.Err() == nil { // a query cut short by its context did not fail
			r.failed(q.Rule, r.name)
		}
		errs = append(errs, err)
		if attempt >= queryAttempts || ctx.Err() != nil {
			break
		}
		wait := queryMinBackoff << (attempt - 1)
		wait += time.Duration(rand.Int64N(int64(wait) / 2))
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < 2*wait {
			break // no time left for the retry to finish
		}
		if r.sleep(ctx, wait) != nil {
			break
		}
	}
	last := errs[len(errs)-1]
	if len(errs) == 1 {
		return detector.Series{}, last
	}
	return detector.Series{}, fmt.Errorf("%w (tried %d times)", last, len(errs))
}

func (r *retrying) Render(q sources.Query) (string, error) {
	if rd, ok := r.src.(renderer); ok {
		return rd.Render(q)
	}
	return "", errNoRender
}

// unwrap returns the source inside the engine's wrappers (Retry, Limit).
func unwrap(src any) any {
	for i := 0; i < 10; i++ {
		u, ok := src.(interface{ Unwrap() sources.Source })
		if !ok {
			return src
		}
		src = u.Unwrap()
	}
	return src
}

// errStopped marks an evaluation cut short because the engine stops.
var errStopped = errors.New("stopped")

// stopped reports an evaluation that vigil's stop cut short: it is counted
// (as "stopped"), but neither judged nor held against the rule.
func (e *Engine) stopped(log *slog.Logger, r Rule, res Result) Result {
	res.Err = fmt.Errorf("%w: %w", errStopped, res.Err)
	e.obs.ObserveEvaluation(r.Name(), resultStopped, res.Duration)
	log.Info("evaluation cut short by the stop", "err", res.Err)
	return res
}

// Breakdown passes a breakdown through to the wrapped source, once: an
// explanation has its own time budget and its alert goes out without it.
func (r *retrying) Breakdown(ctx context.Context, q sources.Query, req explain.Request) ([]explain.Cell, error) {
	b, ok := r.src.(sources.Breakdowner)
	if !ok {
		return nil, errNoBreakdown
	}
	return b.Breakdown(ctx, q, req)
}

// QueryArrivals passes an arrival query through to the wrapped source.
func (r *retrying) QueryArrivals(ctx context.Context, q sources.Query) (detector.Series, detector.Arrivals, error) {
	a, ok := r.src.(sources.ArrivalSource)
	if !ok {
		return detector.Series{}, detector.Arrivals{}, errNoArrivals
	}
	return a.QueryArrivals(ctx, q)
}

// errNoArrivals reports a source that cannot count arrivals.
var errNoArrivals = errors.New("source cannot count arrivals")
