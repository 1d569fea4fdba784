package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
)

// TestCatchUpAfterDowntime judges bucket 0, is "down" until after bucket
// last, and runs again: the anomaly that happened meanwhile is reported
// once (open and resolve), however often it runs after.
func TestCatchUpAfterDowntime(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		catchUp int
		want    []string
		queries int // source queries of the run after the downtime
	}{
		{"missed anomaly reported", "....A.....", 24, []string{"open 4", "resolve 4"}, 1},
		{"older than catch_up", "....A.....", 3, nil, 1},
		{"missed anomaly beyond one window", "..........A" + strings.Repeat(".", 89), 100, []string{"open 10", "resolve 10"}, 3},
		{"still firing after the downtime", "........AA", 24, []string{"open 8"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			src := patternSource(tt.pattern)
			a := alerting(2, 6)
			a.CatchUp = tt.catchUp
			e := New([]Rule{lifecycleRule(src, a, 1)}, Options{Store: s})
			last := len(tt.pattern) - 1
			e.Once(context.Background(), evalAt(0), nil)
			before := len(src.queries)
			for range 3 { // the first run after the downtime, then the same hour again, then the next
				if res := e.Once(context.Background(), evalAt(last), nil)[0]; res.Failed() {
					t.Fatalf("Once: %v %v", res.Err, res.NotifyErr)
				}
				if len(src.queries) == before+1 && tt.queries > 1 {
					t.Errorf("caught up with one query, want %d", tt.queries)
				}
			}
			e.Once(context.Background(), evalAt(last+1), nil)
			if got := events(t, s); !slices.Equal(got, tt.want) {
				t.Errorf("deliveries = %q, want %q", got, tt.want)
			}
			if n, _, _ := s.LastJudged("orders"); !n.Equal(hour(last + 1)) {
				t.Errorf("LastJudged = %s, want %s", n, hour(last+1))
			}
		})
	}
}

// TestFirstRunJudgesOnlyTheLatest: a rule judged for the first time does
// not report anomalies from before it was watched.
func TestFirstRunJudgesOnlyTheLatest(t *testing.T) {
	s := openStore(t)
	e := New([]Rule{lifecycleRule(patternSource("AA...."), alerting(2, 6), 1)}, Options{Store: s})
	e.Once(context.Background(), evalAt(5), nil)
	if got := events(t, s); len(got) != 0 {
		t.Errorf("deliveries = %q, want none", got)
	}
	if got := incidentStates(t, s); len(got) != 0 {
		t.Errorf("incidents = %q, want none", got)
	}
}

func TestSnoozes(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		renot   time.Duration
		snooze  func(t *testing.T, s *state.Store)
		after   int // run snooze after judging this bucket (-1: before the first)
		want    []string
	}{
		{"rule snoozed: the open waits for the end", "AAAAA", 0,
			func(t *testing.T, s *state.Store) { check(t, s.SnoozeRule("orders", hour(4))) }, -1,
			[]string{"open 0"}},
		{"incident snoozed: no reminders, but the resolution", "AAAA..", time.Hour,
			func(t *testing.T, s *state.Store) {
				snoozeOpen(t, s, func(inc *state.Incident) { inc.SnoozeUntilRecovery = true })
			}, 0,
			[]string{"open 0", "resolve 0"}},
		{"incident snoozed for a while: reminders after it", "AAAAA", time.Hour,
			func(t *testing.T, s *state.Store) {
				snoozeOpen(t, s, func(inc *state.Incident) { inc.SnoozedUntil = hour(4) })
			}, 0,
			[]string{"open 0", "renotify 0", "renotify 0"}}, // at 04:05 and 05:05; not at 02:05 and 03:05
		{"rule snoozed: an incident that recovered meanwhile is never announced", "AA....", 0,
			func(t *testing.T, s *state.Store) { check(t, s.SnoozeRule("orders", hour(3))) }, -1,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			a := alerting(2, 6)
			a.Renotify = tt.renot
			e := New([]Rule{lifecycleRule(patternSource(tt.pattern), a, 1)}, Options{Store: s})
			if tt.after < 0 {
				tt.snooze(t, s)
			}
			for i := range tt.pattern {
				e.Once(context.Background(), evalAt(i), nil)
				if i == tt.after {
					tt.snooze(t, s)
				}
			}
			if got := events(t, s); !slices.Equal(got, tt.want) {
				t.Errorf("deliveries = %q, want %q", got, tt.want)
			}
		})
	}
}

func snoozeOpen(t *testing.T, s *state.Store, fn func(*state.Incident)) {
	t.Helper()
	inc, ok, err := s.OpenIncident("orders", "")
	if err != nil || !ok {
		t.Fatalf("OpenIncident = %v, %v", ok, err)
	}
	_, err = s.UpdateIncident(inc.ID, func(inc *state.Incident) error { fn(inc); return nil })
	check(t, err)
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRuleFailing fails a rule five times in a row, then lets it run: its
// notifiers hear once that it fails (at the third failure) and once that
// it recovered.
func TestRuleFailing(t *testing.T) {
	s := openStore(t)
	src := patternSource(".......")
	boom := errors.New("connection refused")
	e := New([]Rule{lifecycleRule(src, config.Alerting{ResolveAfter: 2, CatchUp: 24, FailingAfter: 3}, 1)}, Options{Store: s})
	var got [][]string
	for i := range 7 {
		src.err = nil
		if i >= 1 && i <= 5 {
			src.err = boom
		}
		e.Once(context.Background(), evalAt(i), nil)
		got = append(got, events(t, s))
	}
	if want := []string{"failing rule"}; !slices.Equal(got[2], nil) || !slices.Equal(got[3], want) || !slices.Equal(got[4], want) {
		t.Errorf("deliveries after failures 2, 3, 4 = %q, %q, %q; want none, then %q", got[2], got[3], got[4], want)
	}
	if want := []string{"failing rule", "recovered rule"}; !slices.Equal(got[6], want) {
		t.Errorf("deliveries after recovery = %q, want %q", got[6], want)
	}
	ds, err := s.Pending(0)
	check(t, err)
	msgs := make([]string, len(ds))
	for i, d := range ds {
		a, err := decodeAlert(d.Payload)
		check(t, err)
		msgs[i] = string(a.State) + ": " + a.Reason
	}
	want := []string{
		"firing: rule orders has failed 3 times since 02:05 UTC: query fake: connection refused",
		"resolved: rule orders runs again, after failing 5 times since 02:05 UTC",
	}
	if !slices.Equal(msgs, want) {
		t.Errorf("messages = %q, want %q", msgs, want)
	}
	if n, _, _ := s.LastJudged("orders"); !n.Equal(hour(6)) {
		t.Errorf("LastJudged = %s, want %s", n, hour(6))
	}
}
