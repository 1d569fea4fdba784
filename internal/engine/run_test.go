package engine

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestRunSchedules runs the daemon in a bubble with a fake clock: every
// rule is evaluated at start, then at each activation of its schedule in
// its own zone, with the activation time as now. Cancelling stops it
// cleanly: synctest.Test fails if a goroutine is left behind.
func TestRunSchedules(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata") // UTC+05:30: its hours start at :30 UTC
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		start := time.Now() // the bubble's clock: 2000-01-01 00:00 UTC
		every := &fakeSource{}
		fast := hourly("fast", every, 0)
		fast.Metric.Granularity = time.Second
		fast.Metric.Schedule = "@every 1s"
		fast.Metric.Detect.History = 10 * time.Second
		zoned := &fakeSource{}
		hourlyIST := hourly("zoned", zoned, 0)
		hourlyIST.Metric.Granularity = 15 * time.Minute
		hourlyIST.Metric.Schedule = "0 * * * *"
		hourlyIST.Metric.Location = kolkata

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- New([]Rule{fast, hourlyIST}, Options{}).Run(ctx) }()
		time.Sleep(3500 * time.Millisecond)
		synctest.Wait()
		if got, want := ends(every), []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}; !equalDurations(got, start, want) {
			t.Errorf("fast rule evaluated with windows ending %v, want start+%v", got, want)
		}
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		if got, want := ends(zoned), []time.Duration{0, 30 * time.Minute, 90 * time.Minute}; !equalDurations(got, start, want) {
			t.Errorf("zoned rule evaluated with windows ending %v, want start+%v", got, want)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v, want nil after cancel", err)
		}
	})
}

// ends returns the end of each window src was asked for, which for a
// rule without delay is the time of the evaluation floored to its bucket.
func ends(src *fakeSource) []time.Time {
	src.mu.Lock()
	defer src.mu.Unlock()
	var out []time.Time
	for _, q := range src.queries {
		out = append(out, q.To)
	}
	return out
}

func equalDurations(got []time.Time, start time.Time, want []time.Duration) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !got[i].Equal(start.Add(want[i])) {
			return false
		}
	}
	return true
}

func TestRunRejectsBadSchedules(t *testing.T) {
	src := &fakeSource{}
	a := hourly("a", src, 0)
	a.Metric.Schedule = "every hour"
	b := hourly("b", src, 0)
	b.Metric.Schedule = "61 * * * *"
	err := New([]Rule{a, b}, Options{}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), `rule "a": schedule "every hour"`) || !strings.Contains(err.Error(), `rule "b"`) {
		t.Errorf("Run() = %v, want errors for rules a and b", err)
	}
	if len(src.queries) != 0 {
		t.Errorf("Run() evaluated %d times, want none", len(src.queries))
	}
}
