package engine

import (
	"context"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
)

// TestAcknowledgeConfirms: acknowledging an incident confirms it as an
// anomaly, so its buckets are confirmed feedback; a verdict already given
// ("not an anomaly") is not overwritten by a later acknowledgement.
func TestAcknowledgeConfirms(t *testing.T) {
	tests := []struct {
		name       string
		notAnomaly bool // someone said "not an anomaly" first
		want       string
	}{
		{"acknowledged", false, state.Confirmed},
		{"judged first", true, state.NotAnomaly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			r := lifecycleRule(patternSource("AA"), alerting(2, 0), 1)
			e := New([]Rule{r}, Options{Store: s})
			for i := range 2 {
				e.Once(context.Background(), evalAt(i), nil)
			}
			incs, err := s.ListIncidents(state.IncidentFilter{Rule: "orders"})
			if err != nil || len(incs) != 1 {
				t.Fatalf("incidents %v, %v; want one", incs, err)
			}
			acts := NewStoreActions(s, &config.Config{Metrics: []config.Metric{r.Metric}}, func() time.Time { return evalAt(2) })
			if tt.notAnomaly {
				check(t, acts.NotAnomaly(context.Background(), incs[0].ID, "bob"))
			}
			check(t, acts.Acknowledge(context.Background(), incs[0].ID, "ana"))
			inc, _, err := s.GetIncident(incs[0].ID)
			if err != nil || inc.AckBy != "ana" || inc.Feedback != tt.want {
				t.Errorf("incident acked by %q with feedback %q (%v); want ana and %q", inc.AckBy, inc.Feedback, err, tt.want)
			}
			fb, err := s.Feedback("orders", hour(0), hour(2))
			if err != nil || len(fb) == 0 {
				t.Fatalf("feedback %v, %v; want the incident's buckets", fb, err)
			}
			for _, f := range fb {
				if f.Kind != tt.want {
					t.Errorf("feedback on %s is %q, want %q", f.Start, f.Kind, tt.want)
				}
			}
		})
	}
}
