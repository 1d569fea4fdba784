package engine

import (
	"math"

	"vigil/detector"
	"vigil/internal/state"
	"vigil/notifiers"
)

// reasonRemoved is the reason a removed rule's incident resolves with.
const reasonRemoved = "rule removed from the configuration"

// rule returns the engine's rule called name.
func (e *Engine) rule(name string) (Rule, bool) {
	for _, r := range e.rules {
		if r.Name() == name {
			return r, true
		}
	}
	return Rule{}, false
}

// forget resolves the open incident of a rule that a reload removed (its
// notifiers, as the old config named them, hear that it ended: rule
// removed) and drops the rule's progress, failures and snooze. Its resolved
// incidents, deliveries and feedback stay until pruned. If the rule comes
// back, it starts afresh.
func (d *Daemon) forget(old *Engine, name string) {
	r, ok := old.rule(name)
	if !ok {
		return
	}
	now := d.opts.Now()
	var j *judgement
	err := d.store.Update(func(tx *state.Tx) error {
		j = &judgement{e: d.cur, tx: tx, r: r, pol: policyOf(r), now: now,
			res:   &Result{Rule: name, Location: location(r.Metric), Granularity: r.Metric.Granularity},
			names: targetNames(r), told: map[string]tell{}}
		if err := j.removed(); err != nil {
			return err
		}
		return tx.DeleteRule(name)
	})
	if err != nil {
		d.log.Error("cannot resolve the incidents of a removed rule", "rule", name, "err", err)
		return
	}
	d.obs.ForgetRule(name)
	d.outbox.Add(j.created...)
}

// removed resolves the rule's open incident, if any.
func (j *judgement) removed() error {
	inc, open, err := j.tx.OpenIncident(j.r.Name(), "")
	if err != nil || !open {
		return err
	}
	t, err := j.tellOf(&inc)
	if err != nil {
		return err
	}
	inc.State, inc.ResolvedAt = state.Resolved, j.now
	j.res.Bucket = inc.LastBucket
	p := detector.Point{Time: inc.LastBucket, Value: math.NaN(), Expected: math.NaN(), Lower: math.NaN(),
		Upper: math.NaN(), Score: math.NaN(), Reason: reasonRemoved}
	if err := j.record(&inc, kindResolve, p, inc.Explanation); err != nil {
		return err
	}
	if t == toldFiring {
		if err := j.notify(&inc, state.EventResolve, j.alert(&inc, notifiers.Resolved, p)); err != nil {
			return err
		}
	}
	return j.tx.PutIncident(&inc)
}
