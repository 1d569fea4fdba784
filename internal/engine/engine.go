// Package engine runs vigil's rules: it builds sources, detectors and
// notifiers from a config, evaluates each rule on its schedule against the
// latest settled bucket, and hands new anomalies to the rule's notifiers.
//
// Building (Build) is kept apart from evaluating (New, Once, Run), so that an
// Engine can be assembled from fakes in tests.
package engine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/detector/explain"
	"vigil/notifiers"
	"vigil/sources"
)

// defaultTimeout bounds one evaluation when a rule sets no timeout.
const defaultTimeout = time.Minute

// Rule is one metric ready to evaluate: where its data comes from, how it is
// judged and who hears about it.
type Rule struct {
	Metric     config.Metric // what to query; Granularity, Delay, Location and Detect.History are used here
	SourceName string        // for logs and results
	Source     sources.Source
	Detector   detector.Detector
	Method     string // for people, e.g. "seasonal (weekly, 8 seasons)"; defaults to Metric.Detect.Method
	Timeout    time.Duration
	Notifiers  []notifiers.Notifier
	// Explain bounds the drill-down behind an anomaly of a metric with
	// dimensions; the zero value uses explain's defaults.
	Explain explain.Options
}

// Name returns the metric's name.
func (r Rule) Name() string { return r.Metric.Name }

// timeout bounds one evaluation of r, its explanation included.
func (r Rule) timeout() time.Duration {
	if r.Timeout <= 0 {
		return defaultTimeout
	}
	return r.Timeout
}

// Options are what an Engine needs from its caller.
type Options struct {
	Logger *slog.Logger     // nil discards logs
	Stdout io.Writer        // where the console notifier writes; nil discards
	Now    func() time.Time // the clock; nil means time.Now
	// Incidents decides when a verdict becomes a notification; nil keeps
	// incidents in memory.
	Incidents Incidents
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Incidents == nil {
		o.Incidents = NewMemoryIncidents()
	}
	return o
}

// Engine evaluates a fixed set of rules. It is safe for concurrent use.
type Engine struct {
	rules     []Rule
	log       *slog.Logger
	now       func() time.Time
	incidents Incidents
	closers   []io.Closer
}

// New returns an Engine for rules, which it evaluates in the given order.
func New(rules []Rule, opts Options) *Engine {
	opts = opts.withDefaults()
	return &Engine{
		rules:     slices.Clone(rules),
		log:       opts.Logger,
		now:       opts.Now,
		incidents: opts.Incidents,
	}
}

// Rules returns the names of the engine's rules in evaluation order.
func (e *Engine) Rules() []string {
	names := make([]string, len(e.rules))
	for i, r := range e.rules {
		names[i] = r.Name()
	}
	return names
}

// Once evaluates the rules named in only (all rules when only is empty) as
// of now, in parallel within each source's concurrency limit, notifies new
// anomalies, and returns one Result per rule in the engine's rule order.
// Names in only that match no rule are ignored; check them with Rules.
func (e *Engine) Once(ctx context.Context, now time.Time, only []string) []Result {
	var rules []Rule
	for _, r := range e.rules {
		if len(only) == 0 || slices.Contains(only, r.Name()) {
			rules = append(rules, r)
		}
	}
	out := make([]Result, len(rules))
	var wg sync.WaitGroup
	for i, r := range rules {
		wg.Go(func() { out[i] = e.runRule(ctx, r, now) })
	}
	wg.Wait()
	return out
}

// runRule evaluates r as of now within its timeout, notifies on a new
// incident, and logs the outcome.
func (e *Engine) runRule(ctx context.Context, r Rule, now time.Time) Result {
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	log := e.log.With("rule", r.Name(), "source", r.SourceName)
	res := evaluate(ctx, r, now)
	switch res.Verdict() {
	case VerdictError:
		log.Error("evaluation failed", "err", res.Err, "duration", res.Duration)
		return res
	case VerdictNoData:
		log.Warn("nothing to judge", "bucket", res.Bucket, "err", res.Err, "duration", res.Duration)
		return res
	}
	log.Debug("evaluated", "bucket", res.Bucket, "verdict", res.Verdict(), "duration", res.Duration)
	e.track(ctx, log, r, &res)
	return res
}

// Close releases the sources opened by Build.
func (e *Engine) Close() error {
	var errs []error
	for _, c := range e.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
