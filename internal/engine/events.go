package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"vigil/detector"
	"vigil/internal/state"
	"vigil/notifiers"
)

// historyNotifier is the outbox name of the incident history writer. No
// configured notifier can have it: config names start with a letter or
// digit.
const historyNotifier = "@history"

// Kinds of history rows, beyond the state's events.
const (
	kindOpen    = "open"
	kindReopen  = "reopen"
	kindUpdate  = "update"
	kindResolve = "resolve"
)

// tell is what people were last told about an incident.
type tell int8

const (
	toldNothing tell = iota
	toldFiring
	toldResolved
)

// tellOf works out what people were last told about inc, from its
// counters when they are enough and from its deliveries otherwise (an
// incident that resolved and fires again). It is cached per transaction.
func (j *judgement) tellOf(inc *state.Incident) (tell, error) {
	if t, ok := j.told[inc.ID]; ok {
		return t, nil
	}
	t, err := tellFromStore(j.tx, inc)
	if err == nil {
		j.told[inc.ID] = t
	}
	return t, err
}

func tellFromStore(tx *state.Tx, inc *state.Incident) (tell, error) {
	switch {
	case inc.Notifications == 0:
		return toldNothing, nil
	case inc.ResolvedAt.IsZero(): // never resolved: every notification said firing
		return toldFiring, nil
	}
	ds, err := tx.Deliveries(inc.ID)
	if err != nil {
		return toldNothing, err
	}
	t := toldFiring // deliveries pruned: the safe guess is that people saw it fire
	for _, d := range ds {
		switch d.Event {
		case state.EventOpen, state.EventRenotify:
			t = toldFiring
		case state.EventResolve:
			t = toldResolved
		}
	}
	return t, nil
}

// notify enqueues the event ev about inc, described by a, for each of the
// rule's notifiers, and counts it on the incident.
func (j *judgement) notify(inc *state.Incident, ev state.Event, a notifiers.Alert) error {
	seq := inc.Notifications + 1
	payload, err := encodeAlert(a)
	if err != nil {
		return fmt.Errorf("encode alert: %w", err)
	}
	for _, name := range j.names {
		d := state.Delivery{Key: state.DeliveryKey(inc.ID, ev, seq, name), Incident: inc.ID,
			Notifier: name, Event: ev, Payload: payload, CreatedAt: j.now}
		if err := j.enqueue(d, a); err != nil {
			return err
		}
	}
	inc.Notifications, inc.LastNotified = seq, j.now
	j.told[inc.ID] = toldFiring
	if ev == state.EventResolve {
		j.told[inc.ID] = toldResolved
	}
	j.events = append(j.events, string(ev))
	return nil
}

// notifyRule enqueues an event about the rule itself (failing, recovered);
// streak names the failure streak so that two streaks never share a key.
func (j *judgement) notifyRule(ev state.Event, streak time.Time, a notifiers.Alert) error {
	payload, err := encodeAlert(a)
	if err != nil {
		return fmt.Errorf("encode alert: %w", err)
	}
	for _, name := range j.names {
		d := state.Delivery{Key: state.DeliveryKey("rule:"+j.r.Name(), ev, int(streak.Unix()), name),
			Notifier: name, Event: ev, Payload: payload, CreatedAt: j.now}
		if err := j.enqueue(d, a); err != nil {
			return err
		}
	}
	j.events = append(j.events, string(ev))
	return nil
}

// enqueue records the delivery d of the alert a and, for a notifier with a
// digest, collects a for the digest. A delivery recorded before (the same
// buckets judged again after a crash) changes nothing.
func (j *judgement) enqueue(d state.Delivery, a notifiers.Alert) error {
	d, created, err := j.tx.Enqueue(d)
	if err != nil || !created {
		return err
	}
	j.created = append(j.created, d)
	return j.collect(d.Notifier, a)
}

// record enqueues a history row for inc when history is on.
func (j *judgement) record(inc *state.Incident, kind string, p detector.Point, x json.RawMessage) error {
	if j.e.historyWriter == nil {
		return nil
	}
	key := state.DeliveryKey(inc.ID, state.Event(kind), int(p.Time.Unix()), historyNotifier)
	row := historyRow{
		EventKey: key, Incident: inc.ID, Rule: inc.Rule, Series: inc.Series, Event: kind, State: string(inc.State),
		Bucket: p.Time.UTC(), Start: inc.Start.UTC(),
		Value: jsonFloat(p.Value), Expected: jsonFloat(p.Expected), Lower: jsonFloat(p.Lower), Upper: jsonFloat(p.Upper),
		Score: jsonFloat(p.Score), Direction: p.Direction.String(), Reason: p.Reason, Explanation: x, RecordedAt: j.now.UTC(),
	}
	if inc.State == state.Resolved {
		at := inc.ResolvedAt.UTC()
		row.ResolvedAt = &at
	}
	payload, err := json.Marshal(row)
	if err != nil {
		return fmt.Errorf("encode history row: %w", err)
	}
	d, created, err := j.tx.Enqueue(state.Delivery{Key: key, Incident: inc.ID, Notifier: historyNotifier,
		Event: state.EventUpdate, Payload: payload, CreatedAt: j.now})
	if created {
		j.created = append(j.created, d)
	}
	return err
}

// alert describes inc at the bucket of p, in state st.
func (j *judgement) alert(inc *state.Incident, st notifiers.State, p detector.Point) notifiers.Alert {
	a := newAlert(j.r, *j.res, p)
	a.ID, a.State = inc.ID, st
	end := len(a.History)
	for end > 0 && a.History[end-1].Time.After(p.Time) {
		end--
	}
	a.History = a.History[max(end-judged, 0):end]
	if st == notifiers.Resolved && a.Reason == "" {
		a.Reason = fmt.Sprintf("back within the expected range for %s in a row", buckets(j.pol.resolveAfter))
	}
	return a
}

func buckets(n int) string {
	if n == 1 {
		return "1 bucket"
	}
	return fmt.Sprintf("%d buckets", n)
}

// failingAlert tells the rule's owner that the rule keeps failing.
func failingAlert(r Rule, f state.RuleFailures, now time.Time) notifiers.Alert {
	return ruleAlert(r, notifiers.Firing, now, fmt.Sprintf("rule %s has failed %s since %s: %s",
		r.Name(), times(f.Count), clock(f.Since, now, location(r.Metric)), f.LastError))
}

// recoveredAlert says that a rule reported as failing runs again.
func recoveredAlert(r Rule, f state.RuleFailures, now time.Time) notifiers.Alert {
	return ruleAlert(r, notifiers.Resolved, now, fmt.Sprintf("rule %s runs again, after failing %s since %s",
		r.Name(), times(f.Count), clock(f.Since, now, location(r.Metric))))
}

func ruleAlert(r Rule, st notifiers.State, now time.Time, reason string) notifiers.Alert {
	m := r.Metric
	return notifiers.Alert{
		ID: "rule:" + m.Name, State: st, Rule: m.Name, Description: m.Description, Owner: m.Owner,
		Runbook: m.Runbook, Channel: m.SlackChannel, Method: r.Method, Time: now, Granularity: m.Granularity, Location: location(m),
		Value: nanValue, Expected: nanValue, Lower: nanValue, Upper: nanValue, Score: nanValue, Reason: reason,
	}
}

// nanValue fills the numbers of an alert about a rule: there is no value.
var nanValue = math.NaN()

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// clock writes t in loc for a sentence: the time alone when it is on the
// day of now, with the date otherwise.
func clock(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	if t.Format(time.DateOnly) == now.Format(time.DateOnly) {
		return t.Format("15:04 MST")
	}
	return t.Format("2006-01-02 15:04 MST")
}
