package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"vigil/notifiers"
)

func TestAlertContents(t *testing.T) {
	bucket := at("2024-03-05T09:00:00Z")
	src := &fakeSource{value: func(b time.Time) float64 {
		if b.Equal(bucket) {
			return 40
		}
		return 100
	}}
	rec := &recorder{}
	rule := hourly("orders", Limit(src, 1), 0, rec)
	rule.Metric.Description = "Completed orders"
	rule.Metric.Owner = "@growth"
	rule.Metric.Detect.Sensitivity = "high"
	rule.Method = "seasonal (weekly, 8 seasons)"
	New([]Rule{rule}, Options{}).Once(context.Background(), at("2024-03-05T10:30:00Z"), nil)
	sent := rec.sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d alerts, want 1", len(sent))
	}
	a := sent[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"ID", a.ID, "orders/total"},
		{"State", a.State, notifiers.Firing},
		{"Rule", a.Rule, "orders"},
		{"Description", a.Description, "Completed orders"},
		{"Owner", a.Owner, "@growth"},
		{"Method", a.Method, "seasonal (weekly, 8 seasons)"},
		{"Sensitivity", a.Sensitivity, "high"},
		{"Time", a.Time, bucket},
		{"Granularity", a.Granularity, time.Hour},
		{"Value", a.Value, 40.0},
		{"Expected", a.Expected, 100.0},
		{"Direction", a.Direction, "down"},
		{"Query", a.Query, "SELECT orders"},
		{"History length", len(a.History), judged},
		{"History end", a.History[len(a.History)-1].Time, bucket},
		{"History expected", a.History[0].Expected, 100.0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("alert %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(a.Reason, "below the expected 100") {
		t.Errorf("alert Reason = %q, want it to say below the expected 100", a.Reason)
	}
}

func TestNotifyFailureIsReported(t *testing.T) {
	src := &fakeSource{value: func(time.Time) float64 { return 300 }}
	bad := &recorder{err: errors.New("channel not found")}
	good := &recorder{}
	res := New([]Rule{hourly("orders", src, 0, named("slack", bad), good)}, Options{}).
		Once(context.Background(), at("2024-03-05T10:30:00Z"), nil)[0]
	if !res.Failed() || !strings.Contains(res.NotifyErr.Error(), `notifier "slack": channel not found`) {
		t.Errorf("NotifyErr = %v, want the slack failure", res.NotifyErr)
	}
	if len(good.sent()) != 1 {
		t.Errorf("other notifier got %d alerts, want 1", len(good.sent()))
	}
}
