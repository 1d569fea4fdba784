package engine

import (
	"fmt"
	"log/slog"
	"time"

	"vigil/detector"
	"vigil/internal/state"
	"vigil/notifiers"
)

// judgement is one evaluation's effect on the store, worked out inside one
// transaction: incident changes, the deliveries they cause, the rule's
// failure streak and its LastJudged, all committed together or not at all.
type judgement struct {
	e     *Engine
	tx    *state.Tx
	r     Rule
	pol   policy
	now   time.Time
	res   *Result
	names []string
	told  map[string]tell

	// Outcome, read after the commit.
	created []state.Delivery // recorded pending, for the outbox
	events  []string
	firing  int
	judged  int       // buckets judged
	last    time.Time // the new LastJudged, zero when unchanged
	skipped time.Time // the last bucket missed past the catch-up limit
}

// record applies res, the evaluation of r as of now, to the store, then
// wakes the outbox. Failures to write are logged and returned in
// res.NotifyErr: the buckets are judged again next time.
func (e *Engine) record(log *slog.Logger, r Rule, now time.Time, res *Result) {
	e.checkpoint("evaluated")
	var j *judgement
	err := e.store.Batch(func(tx *state.Tx) error {
		j = &judgement{e: e, tx: tx, r: r, pol: policyOf(r), now: now, res: res,
			names: e.targetNames(r), told: map[string]tell{}}
		return j.run()
	})
	if err != nil {
		res.NotifyErr = fmt.Errorf("record evaluation: %w", err)
		log.Error("cannot record the evaluation; its buckets will be judged again", "err", err)
		return
	}
	if len(j.created) > 0 {
		e.checkpoint("enqueued")
		if e.outbox != nil {
			e.outbox.Add(j.created...)
		}
	}
	res.Notified = len(j.created) > 0
	e.obs.SetFiring(r.Name(), j.firing)
	if len(j.events) > 0 {
		log.Info("incident events", "events", j.events, "buckets", j.judged, "deliveries", len(j.created))
	}
	if !j.skipped.IsZero() {
		log.Warn("buckets missed beyond catch_up were not judged", "through", j.skipped, "catch_up", j.pol.catchUp)
	}
}

func (j *judgement) run() error {
	rs, _, err := j.tx.Rule(j.r.Name())
	if err != nil {
		return err
	}
	if j.res.Verdict() == VerdictError {
		return j.failed(rs)
	}
	if err := j.series(rs); err != nil {
		return err
	}
	if !j.last.IsZero() {
		if err := j.tx.SetLastJudged(j.r.Name(), j.last); err != nil {
			return err
		}
	}
	return j.recovered()
}

// series runs the lifecycle of the rule's whole-metric series over the
// buckets it has not judged yet.
func (j *judgement) series(rs state.RuleState) error {
	name := j.r.Name()
	inc, open, err := j.tx.OpenIncident(name, "")
	if err != nil {
		return err
	}
	var cur *state.Incident
	if open {
		cur = &inc
	}
	for _, p := range j.fresh(rs.LastJudged) {
		j.judged++
		j.last = p.Time
		if cur != nil {
			if _, err := j.tellOf(cur); err != nil { // before step changes it
				return err
			}
		}
		var recentErr error
		next, tr := j.pol.step(cur, p, func() *state.Incident {
			prev, err := j.recent(p.Time)
			recentErr = err
			return prev
		}, name)
		if recentErr != nil {
			return recentErr
		}
		if next == nil {
			continue
		}
		if next.ID == "" {
			if next, tr, err = j.identify(next, tr); err != nil {
				return err
			}
		}
		if err := j.after(next, tr, p, rs); err != nil {
			return err
		}
		if err := j.tx.PutIncident(next); err != nil {
			return err
		}
		cur = next
		if next.State == state.Resolved {
			cur = nil
		}
	}
	if err := j.release(cur, rs); err != nil {
		return err
	}
	if cur != nil && cur.State == state.Firing {
		j.firing = 1
	}
	return nil
}

// identify gives a new incident its ID. If an incident with that ID exists
// (the rule judged this bucket before it was removed and added again), the
// breach goes on with it, as a re-open.
func (j *judgement) identify(inc *state.Incident, tr transition) (*state.Incident, transition, error) {
	inc.ID = state.IncidentID(inc.Rule, inc.Series, inc.Start)
	old, ok, err := j.tx.GetIncident(inc.ID)
	if err != nil || !ok {
		return inc, tr, err
	}
	old.State, old.NormalStreak, old.LastBucket = inc.State, 0, inc.LastBucket
	if old.State == state.Firing {
		tr = reopened
	}
	return &old, tr, nil
}

// fresh returns the points of the evaluation that were not judged before
// last (zero: never), oldest first, at most the catch-up limit, and only
// those that take part in the lifecycle. A rule judged for the first time
// starts N buckets back, so that a run of N breaches already there fires.
func (j *judgement) fresh(last time.Time) []detector.Point {
	pts := j.res.Points
	limit := j.pol.catchUp
	if last.IsZero() {
		limit = j.pol.consecutive
	}
	start := max(len(pts)-limit, 0)
	if start > 0 && !last.IsZero() && pts[start-1].Time.After(last) {
		j.skipped = pts[start-1].Time
	}
	var out []detector.Point
	for _, p := range pts[start:] {
		if p.Time.After(last) && !p.Time.After(j.res.Bucket) && counts(p) {
			out = append(out, p)
		}
	}
	return out
}

// recent returns the series' latest resolved incident that a breach at b
// may re-open, nil when there is none.
func (j *judgement) recent(b time.Time) (*state.Incident, error) {
	if j.pol.reopenWithin <= 0 {
		return nil, nil
	}
	since := shift(b.In(j.pol.loc), j.pol.gran, j.pol.loc, -j.pol.reopenWithin)
	incs, err := j.tx.ListIncidents(state.IncidentFilter{Rule: j.r.Name(), State: state.Resolved, Since: since})
	if err != nil {
		return nil, err
	}
	var best *state.Incident
	for i := range incs {
		inc := &incs[i]
		if inc.Series == "" && (best == nil || inc.ResolvedAt.After(best.ResolvedAt)) {
			best = inc
		}
	}
	return best, nil
}

// after enqueues what the transition tr of inc, at the bucket of p, owes
// people and the history table.
func (j *judgement) after(inc *state.Incident, tr transition, p detector.Point, rs state.RuleState) error {
	switch tr {
	case opened, reopened:
		kind := kindOpen
		if tr == reopened {
			kind = kindReopen
		}
		a := j.alert(inc, notifiers.Firing, p)
		if x := explanationJSON(a.Explanation); x != nil {
			inc.Explanation = x
		}
		if err := j.record(inc, kind, p, inc.Explanation); err != nil {
			return err
		}
		return j.fire(inc, a, rs)
	case updated:
		return j.record(inc, kindUpdate, p, inc.Explanation)
	case resolved:
		if err := j.record(inc, kindResolve, p, inc.Explanation); err != nil {
			return err
		}
		t, err := j.tellOf(inc)
		if err != nil || t != toldFiring {
			return err // nobody heard it fire: nothing to take back
		}
		return j.notify(inc, state.EventResolve, j.alert(inc, notifiers.Resolved, p))
	}
	return nil
}

// fire tells people that inc fires, unless notifications are held or the
// incident re-opened too soon after its last message.
func (j *judgement) fire(inc *state.Incident, a notifiers.Alert, rs state.RuleState) error {
	t, err := j.tellOf(inc)
	if err != nil || t == toldFiring || j.pol.held(inc, rs, j.now) {
		return err
	}
	if t == toldResolved && j.now.Sub(inc.LastNotified) < j.pol.reopenGap() {
		return nil // flapping: wait, and say nothing if it resolves again meanwhile
	}
	return j.notify(inc, state.EventOpen, a)
}

// release sends what is owed on the firing incident inc once the buckets
// are judged: a firing message held before (quiet hours, snooze, flapping)
// or a reminder. Both go only to an incident still breaching: one whose
// latest buckets were normal has recovered and is waiting out
// resolve_after, and "firing" would be false. A held message it drops so
// is dropped for good when the incident resolves, which then resolves in
// silence (nobody heard it fire); it goes out if the incident breaches
// again first.
func (j *judgement) release(inc *state.Incident, rs state.RuleState) error {
	p, ok := j.res.Latest()
	if inc == nil || inc.State != state.Firing || !ok {
		return nil
	}
	t, err := j.tellOf(inc)
	if err != nil {
		return err
	}
	changed := false
	switch {
	case !breaching(inc):
		return nil
	case t != toldFiring:
		before := inc.Notifications
		if err := j.fire(inc, j.alert(inc, notifiers.Firing, p), rs); err != nil {
			return err
		}
		changed = inc.Notifications != before
	case j.pol.remind(inc, rs, j.now):
		if err := j.notify(inc, state.EventRenotify, j.alert(inc, notifiers.Firing, p)); err != nil {
			return err
		}
		changed = true
	}
	if !changed {
		return nil
	}
	return j.tx.PutIncident(inc)
}

// failed counts a failed evaluation and, from the rule's failing_after-th
// in a row, tells its notifiers once per streak.
func (j *judgement) failed(rs state.RuleState) error {
	f, err := j.tx.RecordRuleFailure(j.r.Name(), j.res.Err.Error(), j.now)
	if err != nil {
		return err
	}
	if f.Count < j.pol.failingAfter || f.Notified || j.pol.held(nil, rs, j.now) {
		return nil
	}
	if err := j.notifyRule(state.EventFailing, f.Since, failingAlert(j.r, f, j.now)); err != nil {
		return err
	}
	return j.tx.MarkRuleFailureNotified(j.r.Name())
}

// recovered ends the rule's failure streak, telling its notifiers when they
// heard it was failing.
func (j *judgement) recovered() error {
	f, err := j.tx.ClearRuleFailures(j.r.Name())
	if err != nil || !f.Notified {
		return err
	}
	return j.notifyRule(state.EventRecovered, f.Since, recoveredAlert(j.r, f, j.now))
}

// checkpoint calls the test hook, if any, at a named step.
func (e *Engine) checkpoint(step string) {
	if e.hook != nil {
		e.hook(step)
	}
}
