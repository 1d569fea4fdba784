package engine

import (
	"log/slog"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
)

// TestBaselineSpans checks which buckets the store keeps out of a rule's
// baselines: its incidents' anomalous buckets and confirmed spans, not an
// incident marked not an anomaly, nor another rule's incidents.
func TestBaselineSpans(t *testing.T) {
	s := openStore(t)
	put := func(rule string, start time.Time, pts ...time.Time) string {
		inc := state.Incident{Rule: rule, State: state.Resolved, Start: start, LastBucket: start, ResolvedAt: start.Add(3 * time.Hour), Points: pts}
		check(t, s.PutIncident(&inc))
		return inc.ID
	}
	put("orders", hour(2), hour(2), hour(3))
	put("orders", hour(6)) // no points: its first bucket
	wrong := put("orders", hour(10), hour(10))
	put("signups", hour(12), hour(12))
	end := func(b time.Time) time.Time { return b.Add(time.Hour) }
	_, err := s.SetFeedback(wrong, state.NotAnomaly, "U1", hour(11), end)
	check(t, err)
	check(t, s.AddFeedback(state.Feedback{Rule: "orders", Start: hour(20), End: hour(22), Kind: state.Confirmed, By: "U1", At: hour(23)}))

	x := &storedSpans{store: s, m: config.Metric{Name: "orders", Granularity: time.Hour}, log: slog.New(slog.DiscardHandler)}
	sp := x.spans()
	tests := []struct {
		name      string
		bucket    int
		incidents bool
		feedback  bool
	}{
		{name: "before any", bucket: 1},
		{name: "incident bucket", bucket: 2, incidents: true},
		{name: "second incident bucket", bucket: 3, incidents: true},
		{name: "after the incident", bucket: 4},
		{name: "incident without points", bucket: 6, incidents: true},
		{name: "marked not an anomaly", bucket: 10},
		{name: "another rule's incident", bucket: 12},
		{name: "confirmed span", bucket: 21, feedback: true},
		{name: "end of the confirmed span", bucket: 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := hour(tt.bucket)
			if got := within(sp.incidents, b); got != tt.incidents {
				t.Errorf("incidents: within(%s) = %v, want %v", b, got, tt.incidents)
			}
			if got := within(sp.feedback, b); got != tt.feedback {
				t.Errorf("feedback: within(%s) = %v, want %v", b, got, tt.feedback)
			}
		})
	}

	// A new incident is seen once the cache is older than baselineRefresh.
	put("orders", hour(30), hour(30))
	if within(x.spans().incidents, hour(30)) {
		t.Errorf("the spans were read again before baselineRefresh")
	}
	x.mu.Lock()
	x.read = time.Now().Add(-2 * baselineRefresh)
	x.mu.Unlock()
	if !within(x.spans().incidents, hour(30)) {
		t.Errorf("a new incident is not in the spans after baselineRefresh")
	}
	if opts := baselineOptions(nil, x.m, x.log); opts != nil {
		t.Errorf("baselineOptions without a store = %d options, want none", len(opts))
	}
}
