package config

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// Alerting says how a metric's verdicts become incidents and notifications.
// A metric's own keys win, then defaults:, then the built-in values.
type Alerting struct {
	// ResolveAfter is how many normal buckets in a row resolve a firing
	// incident (resolve_after, default 2): one normal bucket inside a bad
	// spell does not end it.
	ResolveAfter int
	// ReopenWithin is how many buckets after its resolution a new breach
	// re-opens the same incident rather than a new one (reopen_within,
	// default 6; 0 never re-opens), so that a flapping metric keeps one
	// thread.
	ReopenWithin int
	// Renotify is how often people are reminded of an incident that keeps
	// firing (renotify, default 24h; 0 never).
	Renotify time.Duration
	// CatchUp is the most missed buckets judged after vigil was down
	// (catch_up, default 24), so that an anomaly that happened meanwhile is
	// still reported.
	CatchUp int
	// FailingAfter is how many failed evaluations in a row make vigil tell
	// the rule's notifiers that the rule is failing (failing_after,
	// default 3).
	FailingAfter int
	// QuietHours lists times when notifications about firing incidents are held
	// (quiet_hours); they go out when the window ends if the incident still fires.
	QuietHours []QuietWindow
}

// Built-in alerting values.
const (
	DefaultResolveAfter = 2
	DefaultReopenWithin = 6
	DefaultRenotify     = 24 * time.Hour
	DefaultCatchUp      = 24
	DefaultFailingAfter = 3
	// MaxCatchUp bounds catch_up: each 48 missed buckets cost one more query.
	MaxCatchUp = 1000
)

// withAlerting adds the alerting keys to the keys of a metric or of
// defaults:.
func withAlerting(f fields, a *Alerting) fields {
	f["resolve_after"] = integer(&a.ResolveAfter)
	f["reopen_within"] = integer(&a.ReopenWithin)
	f["renotify"] = duration(&a.Renotify)
	f["catch_up"] = integer(&a.CatchUp)
	f["failing_after"] = integer(&a.FailingAfter)
	f["quiet_hours"] = quietHoursList(&a.QuietHours)
	return f
}

// checkAlerting checks the alerting keys given in sc.
func checkAlerting(sc *scope, a Alerting) {
	atLeast := func(key string, v, lo, hi int, hint string) {
		if sc.has(key) && (v < lo || v > hi) {
			sc.errorf(key, "must be between %d and %d, got %d; %s", lo, hi, v, hint)
		}
	}
	atLeast("resolve_after", a.ResolveAfter, 1, 1000, "it counts normal buckets in a row")
	atLeast("reopen_within", a.ReopenWithin, 0, 1000, "it counts buckets; 0 never re-opens")
	atLeast("catch_up", a.CatchUp, 1, MaxCatchUp, "it counts buckets")
	atLeast("failing_after", a.FailingAfter, 1, 1000, "it counts failed evaluations in a row")
	if sc.has("renotify") && a.Renotify < 0 {
		sc.errorf("renotify", "must not be negative; 0 never reminds")
	}
}

// builtinAlerting are the values used where neither a metric nor
// defaults: set a key.
func builtinAlerting() Alerting {
	return Alerting{
		ResolveAfter: DefaultResolveAfter,
		ReopenWithin: DefaultReopenWithin,
		Renotify:     DefaultRenotify,
		CatchUp:      DefaultCatchUp,
		FailingAfter: DefaultFailingAfter,
	}
}

// defaultAlerting fills what defaults: leaves unset with built-in values.
func defaultAlerting(sc *scope, d Alerting) Alerting {
	checkAlerting(sc, d)
	out := builtinAlerting()
	take(sc, "resolve_after", &out.ResolveAfter, d.ResolveAfter)
	take(sc, "reopen_within", &out.ReopenWithin, d.ReopenWithin)
	take(sc, "renotify", &out.Renotify, d.Renotify)
	take(sc, "catch_up", &out.CatchUp, d.CatchUp)
	take(sc, "failing_after", &out.FailingAfter, d.FailingAfter)
	take(sc, "quiet_hours", &out.QuietHours, d.QuietHours)
	return out
}

// inheritAlerting checks a metric's alerting keys and fills the others from
// defaults (already completed with built-in values).
func inheritAlerting(m *rawMetric, d Alerting) {
	sc := m.sc
	checkAlerting(sc, m.Alerting)
	out := d
	take(sc, "resolve_after", &out.ResolveAfter, m.Alerting.ResolveAfter)
	take(sc, "reopen_within", &out.ReopenWithin, m.Alerting.ReopenWithin)
	take(sc, "renotify", &out.Renotify, m.Alerting.Renotify)
	take(sc, "catch_up", &out.CatchUp, m.Alerting.CatchUp)
	take(sc, "failing_after", &out.FailingAfter, m.Alerting.FailingAfter)
	take(sc, "quiet_hours", &out.QuietHours, m.Alerting.QuietHours)
	m.Alerting = out
}

// take sets *dst to v when key was given a usable value in sc.
func take[T any](sc *scope, key string, dst *T, v T) {
	if sc.has(key) {
		*dst = v
	}
}

// quietHoursList decodes a metric's quiet_hours: a list of windows that hold notifications.
func quietHoursList(dst *[]QuietWindow) field {
	return func(s *scope, key string, n *yaml.Node) {
		out := []QuietWindow{}
		if !s.items(key, n, `a list of windows such as [{days: [sat, sun]}, {from: "22:00", to: "06:00"}]`, func(_ int, k string, item *yaml.Node) {
			var raw rawQuiet
			before := len(*s.d.errs)
			s.fields(item, k, raw.fields())
			w, ok := raw.check(s, k, len(*s.d.errs) > before)
			if !ok || len(*s.d.errs) > before {
				s.bad[key] = true
				return
			}
			out = append(out, w)
		}) {
			return
		}
		*dst = out
	}
}
