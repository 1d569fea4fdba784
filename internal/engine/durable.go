package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"vigil/detector"
	"vigil/notifiers"
)

// This file holds what the engine does differently when it keeps state
// (Options.Store): it judges every bucket since the last one judged, and
// hands notifications to the outbox.

// targetNames returns the outbox names of r's notifiers.
func targetNames(r Rule) []string {
	if len(r.NotifierNames) == len(r.Notifiers) {
		return r.NotifierNames
	}
	names := make([]string, len(r.Notifiers))
	for i := range r.Notifiers {
		names[i] = fmt.Sprintf("%s.notifier%d", r.Name(), i)
	}
	return names
}

func (e *Engine) targetNames(r Rule) []string { return targetNames(r) }

// targets maps the outbox name of every rule's notifiers to the notifier.
func targets(rules []Rule) map[string]notifiers.Notifier {
	out := map[string]notifiers.Notifier{}
	for _, r := range rules {
		for i, name := range targetNames(r) {
			out[name] = r.Notifiers[i]
		}
	}
	return out
}

// outboxTargets returns where the outbox sends this engine's deliveries.
func (e *Engine) outboxTargets() map[string]target {
	out := map[string]target{}
	for name, n := range e.targets {
		out[name] = alertTarget{n}
	}
	for _, s := range e.slack { // its digests too, even when no rule notifies it now
		out[s.name] = slackTarget{alert: out[s.name], n: s.notifier, digest: s.digest}
	}
	if e.historyWriter != nil {
		out[historyNotifier] = e.historyWriter
	}
	return out
}

// logResult logs one evaluation.
func (e *Engine) logResult(log *slog.Logger, res Result) {
	switch res.Verdict() {
	case VerdictError:
		log.Error("evaluation failed", "err", res.Err, "duration", res.Duration)
	case VerdictNoData:
		log.Warn("nothing to judge", "bucket", res.Bucket, "why", res.NoDataReason(), "duration", res.Duration)
	default:
		log.Debug("evaluated", "bucket", res.Bucket, "verdict", res.Verdict().String(), "duration", res.Duration)
	}
}

// catchUp widens res back to the bucket after the last one the rule judged
// (at most catch_up buckets back from the latest) when one evaluation's
// window does not reach that far, as after a long downtime. It evaluates
// the rule as of the moment each earlier stretch settled, which judges
// those buckets exactly as a live run would have. If a stretch cannot be
// evaluated, res fails, so that nothing is skipped: it is tried again
// next time.
func (e *Engine) catchUp(ctx context.Context, r Rule, res *Result) {
	pol, m := policyOf(r), r.Metric
	if res.Err != nil || len(res.Points) == 0 || pol.catchUp <= len(res.Points) {
		return // the window reaches back as far as catch_up allows
	}
	last, ok, err := e.store.LastJudged(r.Name())
	if err != nil || !ok {
		return
	}
	loc := location(m)
	target := shift(last.In(loc), m.Granularity, loc, 1)
	if oldest := shift(res.Bucket, m.Granularity, loc, -(pol.catchUp - 1)); oldest.After(target) {
		target = oldest
	}
	for first := res.Points[0].Time; first.After(target); first = res.Points[0].Time {
		more := evaluate(ctx, r, first.Add(m.Delay))
		res.Duration += more.Duration
		switch {
		case errors.Is(more.Err, detector.ErrNotEnoughData):
			return // too little history that far back: nothing more to judge
		case more.Err != nil:
			res.Err = fmt.Errorf("catch up from %s: %w", target.Format(time.RFC3339), more.Err)
			res.Points = nil
			return
		}
		var older []detector.Point
		for _, p := range more.Points {
			if p.Time.Before(first) {
				older = append(older, p)
			}
		}
		if len(older) == 0 {
			return
		}
		res.Points = append(older, res.Points...)
	}
}
