package backtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/detector"
)

func TestReplay(t *testing.T) {
	const day = 24 * time.Hour
	// Rule a alerts on hours 2-4 (reported again at the tick after each)
	// and 10; rule b is daily and alerts on days 1 and 2; rule c never.
	alertsAt := map[int][]Alert{}
	for _, h := range []int{2, 3, 4, 10} {
		a := Alert{Rule: "a", Time: hr(h), Value: 9, Expected: 3, Direction: detector.Up, Score: 0.7}
		alertsAt[h+1] = append(alertsAt[h+1], a)
		alertsAt[h+2] = append(alertsAt[h+2], a)
	}
	for _, d := range []int{1, 2} {
		alertsAt[24*(d+1)] = append(alertsAt[24*(d+1)], Alert{Rule: "b", Time: t0.Add(time.Duration(d) * day), Granularity: day})
	}
	var ticks []time.Time
	var progress []string
	r := Replay{
		Start: t0, End: t0.Add(14 * day), Step: time.Hour, Rules: []string{"c", "a"},
		Evaluate: func(_ context.Context, now time.Time) ([]Alert, error) {
			ticks = append(ticks, now)
			if now.Before(hr(1)) {
				return nil, fmt.Errorf("rule a: %w", detector.ErrNotEnoughData)
			}
			return alertsAt[int(now.Sub(t0)/time.Hour)], nil
		},
		Progress: func(done, total int) { progress = append(progress, fmt.Sprint(done, "/", total)) },
	}
	rep, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := 14 * 24; len(ticks) != n || rep.Ticks != n || !ticks[n-1].Equal(hr(n-1)) || rep.Skipped != 1 {
		t.Errorf("ticks = %d (last %v, report %d, skipped %d), want %d ending at %v, 1 skipped", len(ticks), ticks[len(ticks)-1], rep.Ticks, rep.Skipped, n, hr(n-1))
	}
	if len(progress) != 336 || progress[0] != "1/336" || progress[335] != "336/336" {
		t.Errorf("progress = %v ... %v, want 1/336 ... 336/336", progress[0], progress[len(progress)-1])
	}
	if len(rep.Alerts) != 6 {
		t.Errorf("alerts = %d, want 6 (repeats dropped)", len(rep.Alerts))
	}
	want := []RuleSummary{
		{Rule: "a", Alerts: 4, AlertsPerWeek: 2, Incidents: 2, IncidentsPerWeek: 1, Longest: 3 * time.Hour, LongestStart: hr(2)},
		{Rule: "b", Alerts: 2, AlertsPerWeek: 1, Incidents: 1, IncidentsPerWeek: 0.5, Longest: 2 * day, LongestStart: t0.Add(day)},
		{Rule: "c"},
	}
	if len(rep.Rules) != len(want) {
		t.Fatalf("rules = %+v, want %+v", rep.Rules, want)
	}
	for i := range want {
		if rep.Rules[i] != want[i] {
			t.Errorf("rule %d = %+v, want %+v", i, rep.Rules[i], want[i])
		}
	}
	if got := rep.For("b"); len(got) != 2 || got[0].Rule != "b" {
		t.Errorf("For(b) = %v, want its 2 alerts", got)
	}
}

func TestReplayErrors(t *testing.T) {
	boom := errors.New("warehouse down")
	ok := func(context.Context, time.Time) ([]Alert, error) { return nil, nil }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name  string
		r     Replay
		ctx   context.Context
		want  string
		ticks int
	}{
		{"no step", Replay{Start: t0, End: hr(5), Evaluate: ok}, context.Background(), "step must be positive", 0},
		{"empty range", Replay{Start: hr(5), End: hr(5), Step: time.Hour, Evaluate: ok}, context.Background(), "is not after start", 0},
		{"no function", Replay{Start: t0, End: hr(5), Step: time.Hour}, context.Background(), "no evaluate function", 0},
		{"evaluate fails", Replay{Start: t0, End: hr(5), Step: time.Hour, Evaluate: func(_ context.Context, now time.Time) ([]Alert, error) {
			if now.Equal(hr(2)) {
				return nil, boom
			}
			return nil, nil
		}}, context.Background(), "replay at 2024-03-04T02:00:00Z: warehouse down", 2},
		{"cancelled", Replay{Start: t0, End: hr(5), Step: time.Hour, Evaluate: ok}, ctx, "context canceled", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := tc.r.Run(tc.ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run error = %v, want %q", err, tc.want)
			}
			if rep.Ticks != tc.ticks {
				t.Errorf("ticks before the error = %d, want %d", rep.Ticks, tc.ticks)
			}
		})
	}
}

func TestReplayTicksPartialStep(t *testing.T) {
	r := Replay{Start: t0, End: t0.Add(150 * time.Minute), Step: time.Hour}
	if got := r.Ticks(); got != 3 {
		t.Errorf("Ticks over 2h30m by 1h = %d, want 3 (0h, 1h, 2h)", got)
	}
}
