// Package engine runs vigil's rules: it builds sources, detectors and
// notifiers from a config, evaluates each rule on its schedule against the
// latest settled bucket, and hands new anomalies to the rule's notifiers.
//
// Building (Build) is kept apart from evaluating (New, Once, Run), so that an
// Engine can be assembled from fakes in tests.
//
// With a state store (Options.Store) the engine keeps incidents: it judges
// every bucket since the last one judged (lifecycle.go), records each
// incident change together with the notifications it owes, and an Outbox
// sends them (outbox.go), so that a crash loses and repeats nothing a
// receiver that deduplicates would see. A Daemon runs such an engine for
// good and swaps in a new one on reload (reload.go).
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
	"vigil/internal/state"
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
	// NotifierNames name Notifiers, in the same order, for the outbox; a
	// rule made without them gets names of its own.
	NotifierNames []string
	// Consecutive is how many anomalous buckets in a row open an incident
	// (its pending state lasts until then); 0 means 1.
	Consecutive int
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
	// incidents in memory. It is not used when Store is set.
	Incidents Incidents
	// Store, when set, keeps incidents, rule progress and the delivery
	// outbox: verdicts go through the lifecycle (lifecycle.go) and
	// notifications through the outbox instead of being sent at once.
	Store *state.Store
	// Outbox is handed what the engine records in Store, to deliver; call
	// its Use with the engine so that it knows where to. Nil leaves the
	// deliveries pending in the store for the next outbox that starts.
	Outbox *Outbox
	// Observer receives evaluations, deliveries and reloads for metrics;
	// nil discards them.
	Observer Observer
	// Hook, for tests, is called at named steps of recording an
	// evaluation and of a delivery ("evaluated", "enqueued", "sent",
	// "marked"), so that a test can stop the process there.
	Hook func(step string)
	// Sources, when set, lends Build the sources it already holds open
	// with the same settings, and keeps the ones Build opens; see Pool.
	Sources *Pool
	// SlackAPIURL is Slack's Web API base URL; tests set it to a fake
	// Slack. Empty means Slack's own.
	SlackAPIURL string
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
	if o.Observer == nil {
		o.Observer = nopObserver{}
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
	store     *state.Store
	outbox    *Outbox
	obs       Observer
	hook      func(step string)
	targets   map[string]notifiers.Notifier // every rule's notifiers by outbox name
	// Set by Build:
	historyWriter *historyWriter          // where incident history goes; nil when off
	sources       map[string]pooledSource // every source, for a Pool to adopt
	pooled        bool                    // the sources belong to a Pool, not to Close
	slack         []*slackSide            // digests and button listeners of the Slack notifiers
}

// New returns an Engine for rules, which it evaluates in the given order.
func New(rules []Rule, opts Options) *Engine {
	opts = opts.withDefaults()
	e := &Engine{
		rules:     slices.Clone(rules),
		log:       opts.Logger,
		now:       opts.Now,
		incidents: opts.Incidents,
		store:     opts.Store,
		outbox:    opts.Outbox,
		obs:       opts.Observer,
		hook:      opts.Hook,
	}
	e.targets = targets(e.rules)
	return e
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
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	log := e.log.With("rule", r.Name(), "source", r.SourceName)
	res := evaluate(ctx, r, now)
	if e.store != nil {
		e.catchUp(ctx, r, &res)
	}
	if res.Err != nil && parent.Err() != nil {
		return e.stopped(log, r, res)
	}
	e.obs.ObserveEvaluation(r.Name(), res.Verdict().result(), res.Duration)
	if e.store != nil {
		e.logResult(log, res)
		e.record(log, r, now, &res)
		return res
	}
	switch res.Verdict() {
	case VerdictError:
		log.Error("evaluation failed", "err", res.Err, "duration", res.Duration)
		return res
	case VerdictNoData:
		log.Warn("nothing to judge", "bucket", res.Bucket, "why", res.NoDataReason(), "duration", res.Duration)
		return res
	}
	log.Debug("evaluated", "bucket", res.Bucket, "verdict", res.Verdict(), "duration", res.Duration)
	e.track(ctx, log, r, &res)
	return res
}

// Close releases the sources opened by Build, unless they belong to a
// Pool.
func (e *Engine) Close() error {
	if e.pooled {
		return nil
	}
	var errs []error
	for _, c := range e.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
