package engine

import (
	"math"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/state"
)

// This file holds the incident lifecycle of one series, applied bucket by
// bucket inside a state transaction:
//
//	ok ──breach──▶ pending ──N breaches in a row──▶ firing ──K normal in a row──▶ resolved
//	                  │ normal                          ▲                            │
//	                  ▼                                 └─breach within W buckets────┘
//	               resolved (never fired: nobody hears of it)
//
// N is the rule's Consecutive, K its resolve_after, W its reopen_within.
// A breach within W buckets of a resolution re-opens the same incident, so
// a flapping metric keeps one identity and one thread; a re-opened incident
// keeps its ResolvedAt, the bucket it last resolved at. Start, LastBucket
// and ResolvedAt are bucket starts (but the time of the reload for a rule
// removed), so that judging the same buckets again after a crash makes the
// same incidents and the same delivery keys; LastNotified is the time of
// the evaluation that notified.

// maxPoints bounds the anomalous buckets an incident lists. Past it the
// list is dropped: the incident then stands for its whole span, from Start
// to LastBucket, which is what feedback falls back to.
const maxPoints = 2000

// policy is how one rule's verdicts become incidents and notifications.
type policy struct {
	consecutive  int           // N
	resolveAfter int           // K
	reopenWithin int           // W, in buckets
	renotify     time.Duration // 0: never
	catchUp      int
	failingAfter int
	quiet        []config.QuietWindow
	gran         time.Duration
	loc          *time.Location
}

// policyOf returns r's policy. A rule whose alerting settings were not
// loaded from a config (resolve_after is never 0 then) gets the built-in
// values, so that rules made in code behave as documented.
func policyOf(r Rule) policy {
	a := r.Metric.Alerting
	if a.ResolveAfter <= 0 {
		a = config.Alerting{
			ResolveAfter: config.DefaultResolveAfter,
			ReopenWithin: config.DefaultReopenWithin,
			Renotify:     config.DefaultRenotify,
			CatchUp:      config.DefaultCatchUp,
			FailingAfter: config.DefaultFailingAfter,
			QuietHours:   a.QuietHours,
		}
	}
	return policy{
		consecutive:  max(r.Consecutive, 1),
		resolveAfter: a.ResolveAfter,
		reopenWithin: a.ReopenWithin,
		renotify:     a.Renotify,
		catchUp:      max(a.CatchUp, 1),
		failingAfter: max(a.FailingAfter, 1),
		quiet:        a.QuietHours,
		gran:         r.Metric.Granularity,
		loc:          location(r.Metric),
	}
}

// counts reports whether p takes part in the lifecycle: an anomaly always
// does (a missing bucket may be one); a normal verdict needs a value and
// an estimate.
func counts(p detector.Point) bool {
	return p.Anomaly || (p.Judged() && !math.IsNaN(p.Value))
}

// transition is what one bucket did to a series' incident.
type transition int8

const (
	none     transition = iota
	opened              // an incident started firing
	reopened            // a resolved incident fires again
	updated             // a firing incident had another anomalous bucket
	resolved            // a firing incident recovered
)

// step applies the verdict p to the series' open incident cur (nil when
// there is none); recent finds the incident a breach may re-open. It
// returns the incident to store (nil when nothing changed) and what
// happened to it.
func (pol policy) step(cur *state.Incident, p detector.Point, recent func() *state.Incident, rule string) (*state.Incident, transition) {
	b := p.Time
	if cur == nil {
		if !p.Anomaly {
			return nil, none
		}
		if prev := recent(); prev != nil && pol.reopens(prev, b) {
			prev.State, prev.NormalStreak = state.Firing, 0
			pol.breach(prev, p)
			return prev, reopened
		}
		inc := &state.Incident{Rule: rule, State: state.Pending, Start: b}
		pol.breach(inc, p)
		if inc.Breaches >= pol.consecutive {
			inc.State = state.Firing
			return inc, opened
		}
		return inc, none
	}
	inc := cur
	if p.Anomaly {
		pol.breach(inc, p)
		switch {
		case inc.State == state.Firing:
			return inc, updated
		case inc.Breaches >= pol.consecutive:
			inc.State = state.Firing
			return inc, opened
		}
		return inc, none
	}
	inc.LastBucket = b
	if inc.State == state.Pending { // fewer than N in a row: it never fired
		inc.State, inc.ResolvedAt = state.Resolved, b
		return inc, none
	}
	inc.NormalStreak++
	if inc.NormalStreak >= pol.resolveAfter {
		inc.State, inc.ResolvedAt = state.Resolved, b
		inc.SnoozeUntilRecovery = false // it recovered: a re-open is news again
		return inc, resolved
	}
	return inc, none
}

// breach records the anomalous bucket p in inc.
func (pol policy) breach(inc *state.Incident, p detector.Point) {
	complete := len(inc.Points) == inc.Breaches
	inc.Breaches++
	inc.NormalStreak = 0
	inc.LastBucket = p.Time
	switch {
	case complete && len(inc.Points) < maxPoints:
		inc.Points = append(inc.Points, p.Time)
	default:
		inc.Points = nil
	}
	if inc.Peak.At.IsZero() || score(p) > inc.Peak.Score {
		inc.Peak = state.Peak{At: p.Time, Value: p.Value, Expected: p.Expected, Score: score(p)}
	}
}

// score orders anomalies for the peak; a point without a score (a missing
// bucket) ranks lowest.
func score(p detector.Point) float64 {
	if math.IsNaN(p.Score) {
		return 0
	}
	return p.Score
}

// reopens says whether a breach at bucket b re-opens prev: it fired, and it
// resolved at most W buckets before b.
func (pol policy) reopens(prev *state.Incident, b time.Time) bool {
	if pol.reopenWithin <= 0 || prev.State != state.Resolved || prev.Breaches < pol.consecutive {
		return false
	}
	limit := shift(prev.ResolvedAt.In(pol.loc), pol.gran, pol.loc, pol.reopenWithin)
	return !b.After(limit)
}

// held says whether notifications about a firing incident wait at now: a
// quiet-hours window is open, or the incident or the whole rule is snoozed.
func (pol policy) held(inc *state.Incident, rs state.RuleState, now time.Time) bool {
	return config.Quiet(pol.quiet, now, pol.loc) || now.Before(rs.SnoozedUntil) || (inc != nil && inc.Snoozed(now))
}

// reopenGap is how long a re-opened incident's "firing again" waits after
// the incident's last notification: the re-open window, so that a flapping
// metric sends about two messages per window at most.
func (pol policy) reopenGap() time.Duration {
	return time.Duration(pol.reopenWithin) * pol.gran
}

// breaching says whether the firing incident inc still breaches: no normal
// bucket came since its last anomalous one. One that does not has
// recovered and only waits out resolve_after; "it fires" would be false.
func breaching(inc *state.Incident) bool {
	return inc.NormalStreak == 0
}

// remind says whether the firing incident inc is owed a reminder at now:
// reminders are on, the last message is renotify old, nothing holds
// notifications, and inc is still breaching.
func (pol policy) remind(inc *state.Incident, rs state.RuleState, now time.Time) bool {
	return pol.renotify > 0 && breaching(inc) &&
		now.Sub(inc.LastNotified) >= pol.renotify && !pol.held(inc, rs, now)
}
