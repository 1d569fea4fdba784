package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
)

// h0 is the start of bucket 0 in the lifecycle tests.
var h0 = at("2024-03-04T00:00:00Z")

// hour returns the start of bucket i.
func hour(i int) time.Time { return h0.Add(time.Duration(i) * time.Hour) }

// evalAt is when bucket i is judged: five minutes after it settles.
func evalAt(i int) time.Time { return hour(i + 1).Add(5 * time.Minute) }

// openStore opens a state store in a fresh folder, closed when the test
// ends.
func openStore(t *testing.T) *state.Store {
	t.Helper()
	s, err := state.Open(filepath.Join(t.TempDir(), "state.db"), state.Options{Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// patternSource is a source whose bucket i (from h0) is anomalous where
// pattern has 'A', missing where it has '_', and normal elsewhere.
func patternSource(pattern string) *fakeSource {
	return &fakeSource{value: func(b time.Time) float64 {
		i := int(b.Sub(h0) / time.Hour)
		if i < 0 || i >= len(pattern) {
			return 100
		}
		switch pattern[i] {
		case 'A':
			return 150
		case '_':
			return nan()
		}
		return 101
	}}
}

// lifecycleRule is an hourly rule over src with one notifier named out.
func lifecycleRule(src *fakeSource, a config.Alerting, n int) Rule {
	r := hourly("orders", src, 0, &recorder{})
	r.NotifierNames = []string{"out"}
	r.Metric.Alerting = a
	r.Consecutive = n
	return r
}

// alerting returns the built-in settings with resolve_after k and
// reopen_within w, and no reminders.
func alerting(k, w int) config.Alerting {
	return config.Alerting{ResolveAfter: k, ReopenWithin: w, CatchUp: 24, FailingAfter: 3}
}

// events lists the deliveries recorded, in order, as "event bucket" where
// bucket is the index of the incident's first bucket, or "event rule".
func events(t *testing.T, s *state.Store) []string {
	t.Helper()
	ds, err := s.Pending(0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		if d.Notifier == historyNotifier {
			continue
		}
		subject := "rule"
		if d.Incident != "" {
			inc, ok, err := s.GetIncident(d.Incident)
			if err != nil || !ok {
				t.Fatalf("delivery %s: incident %s: %v", d.Key, d.Incident, err)
			}
			subject = fmt.Sprint(int(inc.Start.Sub(h0) / time.Hour))
		}
		out = append(out, string(d.Event)+" "+subject)
	}
	return out
}

func TestLifecycle(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		n       int
		a       config.Alerting
		want    []string
		// incidents by first bucket with their final state.
		incidents []string
	}{
		{name: "normal stays quiet", pattern: "......", a: alerting(2, 6), incidents: nil},
		{name: "a blip fires and resolves after K normal buckets", pattern: "..A...", a: alerting(2, 6),
			want: []string{"open 2", "resolve 2"}, incidents: []string{"2 resolved"}},
		{name: "one normal bucket inside a spell does not resolve", pattern: "AA.AA..", a: alerting(2, 0),
			want: []string{"open 0", "resolve 0"}, incidents: []string{"0 resolved"}},
		{name: "still firing at the end", pattern: "..AAA.", a: alerting(2, 6),
			want: []string{"open 2"}, incidents: []string{"2 firing"}},
		{name: "pending never fires", pattern: ".AA.AA.", n: 3, a: alerting(2, 6),
			incidents: []string{"1 resolved", "4 resolved"}},
		{name: "N breaches in a row fire", pattern: ".AAA..", n: 3, a: alerting(2, 6),
			want: []string{"open 1", "resolve 1"}, incidents: []string{"1 resolved"}},
		{name: "pending at the end", pattern: "....AA", n: 3, a: alerting(2, 6), incidents: []string{"4 pending"}},
		{name: "missing buckets change nothing", pattern: "A__A_..", a: alerting(2, 6),
			want: []string{"open 0", "resolve 0"}, incidents: []string{"0 resolved"}},
		{name: "flapping re-opens the same incident and stays quiet", pattern: "A.A.A.A......", a: alerting(1, 6),
			want: []string{"open 0", "resolve 0"}, incidents: []string{"0 resolved"}},
		{name: "re-opened and still firing after the gap says so", pattern: "A.AAAA", a: alerting(1, 3),
			want: []string{"open 0", "resolve 0", "open 0"}, incidents: []string{"0 firing"}},
		{name: "a breach after the window opens a new incident", pattern: "A....A.", a: alerting(1, 2),
			want: []string{"open 0", "resolve 0", "open 5", "resolve 5"}, incidents: []string{"0 resolved", "5 resolved"}},
		{name: "reopen_within 0 never re-opens", pattern: "A.A.", a: alerting(1, 0),
			want: []string{"open 0", "resolve 0", "open 2", "resolve 2"}, incidents: []string{"0 resolved", "2 resolved"}},
		{name: "a pending incident that never fired is not re-opened", pattern: "A.AA", n: 2, a: alerting(1, 6),
			want: []string{"open 2"}, incidents: []string{"0 resolved", "2 firing"}},
		{name: "renotify while it keeps firing", pattern: "AAAAAAA",
			a:    config.Alerting{ResolveAfter: 2, ReopenWithin: 6, Renotify: 3 * time.Hour, CatchUp: 24, FailingAfter: 3},
			want: []string{"open 0", "renotify 0", "renotify 0"}, incidents: []string{"0 firing"}},
		{name: "no reminder while a recovered incident waits out resolve_after", pattern: "AAA....",
			a:    config.Alerting{ResolveAfter: 4, ReopenWithin: 6, Renotify: time.Hour, CatchUp: 24, FailingAfter: 3},
			want: []string{"open 0", "renotify 0", "renotify 0", "resolve 0"}, incidents: []string{"0 resolved"}},
		{name: "a reminder resumes when a recovering incident breaches again", pattern: "AA..A.",
			a:    config.Alerting{ResolveAfter: 3, ReopenWithin: 6, Renotify: time.Hour, CatchUp: 24, FailingAfter: 3},
			want: []string{"open 0", "renotify 0", "renotify 0"}, incidents: []string{"0 firing"}},
		{name: "quiet hours hold the open until the window ends", pattern: "AAAA",
			a:    config.Alerting{ResolveAfter: 2, CatchUp: 24, FailingAfter: 3, QuietHours: []config.QuietWindow{{From: 0, To: 3 * time.Hour}}},
			want: []string{"open 0"}, incidents: []string{"0 firing"}},
		{name: "quiet hours never hold a resolution", pattern: "AA..",
			a:    config.Alerting{ResolveAfter: 2, CatchUp: 24, FailingAfter: 3, QuietHours: []config.QuietWindow{{From: 3 * time.Hour, To: 5 * time.Hour}}},
			want: []string{"open 0", "resolve 0"}, incidents: []string{"0 resolved"}},
		{name: "an incident in quiet hours all along resolves in silence", pattern: "AA..",
			a:         config.Alerting{ResolveAfter: 2, CatchUp: 24, FailingAfter: 3, QuietHours: []config.QuietWindow{{From: 0, To: 6 * time.Hour}}},
			incidents: []string{"0 resolved"}},
		{name: "a held open is dropped when the incident recovered before the window ends", pattern: "AA.....",
			a:         config.Alerting{ResolveAfter: 4, CatchUp: 24, FailingAfter: 3, QuietHours: []config.QuietWindow{{From: 0, To: 3 * time.Hour}}},
			incidents: []string{"0 resolved"}},
		{name: "a held open goes out when a recovering incident breaches again", pattern: "AA.A...",
			a:    config.Alerting{ResolveAfter: 3, CatchUp: 24, FailingAfter: 3, QuietHours: []config.QuietWindow{{From: 0, To: 3 * time.Hour}}},
			want: []string{"open 0", "resolve 0"}, incidents: []string{"0 resolved"}},
		{name: "a held firing again is dropped when the re-opened incident recovers first", pattern: "A...A....",
			a:    alerting(3, 2),
			want: []string{"open 0", "resolve 0"}, incidents: []string{"0 resolved"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			e := New([]Rule{lifecycleRule(patternSource(tt.pattern), tt.a, tt.n)}, Options{Store: s})
			for i := range tt.pattern {
				if res := e.Once(context.Background(), evalAt(i), nil)[0]; res.Failed() {
					t.Fatalf("bucket %d: %v %v", i, res.Err, res.NotifyErr)
				}
			}
			if got := events(t, s); !slices.Equal(got, tt.want) {
				t.Errorf("%s: deliveries = %q, want %q", tt.pattern, got, tt.want)
			}
			if got := incidentStates(t, s); !slices.Equal(got, tt.incidents) {
				t.Errorf("%s: incidents = %q, want %q", tt.pattern, got, tt.incidents)
			}
			last, ok, err := s.LastJudged("orders")
			if lastCounted := strings.LastIndexAny(tt.pattern, ".A"); err != nil || !ok || !last.Equal(hour(lastCounted)) {
				t.Errorf("LastJudged = %s, %v, %v; want %s", last, ok, err, hour(lastCounted))
			}
		})
	}
}

// incidentStates lists the rule's incidents as "start state", by start.
func incidentStates(t *testing.T, s *state.Store) []string {
	t.Helper()
	incs, err := s.ListIncidents(state.IncidentFilter{Rule: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, inc := range incs {
		out = append(out, fmt.Sprintf("%d %s", int(inc.Start.Sub(h0)/time.Hour), inc.State))
	}
	return out
}

// TestRuleRemovedAndAddedAgain: a rule whose state was forgotten judges its
// latest bucket again; the incident that started there goes on, with no
// second "open".
func TestRuleRemovedAndAddedAgain(t *testing.T) {
	s := openStore(t)
	e := New([]Rule{lifecycleRule(patternSource("..A"), alerting(2, 0), 1)}, Options{Store: s})
	e.Once(context.Background(), evalAt(2), nil)
	check(t, s.Update(func(tx *state.Tx) error {
		if _, err := tx.UpdateIncident(state.IncidentID("orders", "", hour(2)), func(inc *state.Incident) error {
			inc.State, inc.ResolvedAt = state.Resolved, hour(3)
			return nil
		}); err != nil {
			return err
		}
		return tx.DeleteRule("orders")
	}))
	e.Once(context.Background(), evalAt(2), nil)
	if got := events(t, s); !slices.Equal(got, []string{"open 2"}) {
		t.Errorf("deliveries = %q, want one open", got)
	}
	if got := incidentStates(t, s); !slices.Equal(got, []string{"2 firing"}) {
		t.Errorf("incidents = %q, want the one at 2 firing again", got)
	}
}
