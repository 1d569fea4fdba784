package engine

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestMemoryIncidents(t *testing.T) {
	h := func(n int) time.Time { return at("2024-03-05T00:00:00Z").Add(time.Duration(n) * time.Hour) }
	type obs struct {
		id        string
		bucket    time.Time
		anomalous bool
		want      Change
	}
	tests := []struct {
		name string
		seq  []obs
	}{
		{"fine stays unchanged", []obs{{"a", h(0), false, Unchanged}, {"a", h(1), false, Unchanged}}},
		{"opens once while anomalous", []obs{{"a", h(0), true, Opened}, {"a", h(1), true, Unchanged}, {"a", h(2), true, Unchanged}}},
		{"same bucket judged again", []obs{{"a", h(0), true, Opened}, {"a", h(0), true, Unchanged}}},
		{"closes and opens again", []obs{{"a", h(0), true, Opened}, {"a", h(1), false, Closed}, {"a", h(2), true, Opened}}},
		{"stale verdict ignored", []obs{{"a", h(2), true, Opened}, {"a", h(1), false, Unchanged}, {"a", h(3), true, Unchanged}}},
		{"series are independent", []obs{{"a", h(0), true, Opened}, {"b", h(0), true, Opened}, {"a", h(1), false, Closed}, {"b", h(1), true, Unchanged}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := NewMemoryIncidents()
			for i, o := range tt.seq {
				if got := inc.Observe(o.id, o.bucket, o.anomalous); got != o.want {
					t.Errorf("step %d: Observe(%s, %s, %v) = %d, want %d", i, o.id, o.bucket, o.anomalous, got, o.want)
				}
			}
		})
	}
}

// TestOnceNotifiesOncePerIncident evaluates hour after hour: anomalous,
// anomalous, normal, anomalous. It expects alerts at the first and last
// hours only, and a log line on recovery.
func TestOnceNotifiesOncePerIncident(t *testing.T) {
	start := at("2024-03-05T10:00:00Z")
	values := map[time.Time]float64{
		start.Add(-1 * time.Hour): 150, // judged at start
		start.Add(0 * time.Hour):  160,
		start.Add(1 * time.Hour):  100,
		start.Add(2 * time.Hour):  40,
	}
	src := &fakeSource{value: func(b time.Time) float64 {
		if v, ok := values[b]; ok {
			return v
		}
		return 100
	}}
	rec := &recorder{}
	var logs bytes.Buffer
	e := New([]Rule{hourly("orders", src, 0, rec)}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	var notified []bool
	for i := range 4 {
		res := e.Once(context.Background(), start.Add(time.Duration(i)*time.Hour+5*time.Minute), nil)
		notified = append(notified, res[0].Notified)
	}
	if want := []bool{true, false, false, true}; !equalBools(notified, want) {
		t.Errorf("Notified per hour = %v, want %v", notified, want)
	}
	sent := rec.sent()
	if len(sent) != 2 {
		t.Fatalf("sent %d alerts, want 2", len(sent))
	}
	if !sent[0].Time.Equal(start.Add(-time.Hour)) || sent[0].Direction != "up" || sent[1].Direction != "down" {
		t.Errorf("alerts at %s %s and %s %s, want %s up and %s down", sent[0].Time, sent[0].Direction,
			sent[1].Time, sent[1].Direction, start.Add(-time.Hour), start.Add(time.Hour))
	}
	if !strings.Contains(logs.String(), "msg=recovered rule=orders") {
		t.Errorf("logs lack the recovery:\n%s", logs.String())
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
