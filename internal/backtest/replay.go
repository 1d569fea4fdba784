package backtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"vigil/detector"
)

// Alert is one anomaly a replayed rule reported.
type Alert struct {
	Rule      string
	Time      time.Time // start of the anomalous bucket
	Value     float64
	Expected  float64
	Direction detector.Direction
	Score     float64
	// Granularity is the rule's bucket length: alerts on buckets at most
	// this far apart belong to one incident. 0 means the replay's step.
	Granularity time.Duration
}

// EvaluateFunc evaluates the rules as they would have run at now and
// returns their alerts. An error wrapping detector.ErrNotEnoughData skips
// the tick; any other error stops the replay.
type EvaluateFunc func(ctx context.Context, now time.Time) ([]Alert, error)

// Replay runs an evaluation at every tick of a past range, in order.
type Replay struct {
	Start, End time.Time     // ticks are Start, Start+Step, ... before End
	Step       time.Duration // the rules' schedule resolution, usually their granularity
	Evaluate   EvaluateFunc
	// Progress, when set, is called after every tick with the ticks done
	// and the total (see ProgressBar).
	Progress func(done, total int)
	// Rules are summarised even when they never alert.
	Rules []string
}

// Report is what a replay found.
type Report struct {
	Start, End time.Time
	Step       time.Duration
	Ticks      int // ticks evaluated
	Skipped    int // ticks at which Evaluate had not enough data
	// Alerts holds each rule's alert on a bucket once (the first report
	// of it), in tick order.
	Alerts []Alert
	Rules  []RuleSummary // by rule name
}

// RuleSummary sums up one rule's alerts.
type RuleSummary struct {
	Rule             string
	Alerts           int
	AlertsPerWeek    float64
	Incidents        int // runs of alerts on consecutive buckets
	IncidentsPerWeek float64
	Longest          time.Duration // the longest incident, first bucket to the end of the last
	LongestStart     time.Time
}

const week = 7 * 24 * time.Hour

// Ticks returns the number of ticks in the range.
func (r Replay) Ticks() int {
	if r.Step <= 0 || !r.End.After(r.Start) {
		return 0
	}
	return int((r.End.Sub(r.Start) + r.Step - 1) / r.Step)
}

// Run evaluates every tick in order and summarises the alerts. On an
// error it returns the report so far with the error.
func (r Replay) Run(ctx context.Context) (Report, error) {
	rep := Report{Start: r.Start, End: r.End, Step: r.Step}
	switch {
	case r.Step <= 0:
		return rep, fmt.Errorf("replay: step must be positive, got %v", r.Step)
	case !r.End.After(r.Start):
		return rep, fmt.Errorf("replay: end %s is not after start %s", r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
	case r.Evaluate == nil:
		return rep, errors.New("replay: no evaluate function")
	}
	total := r.Ticks()
	seen := map[alertKey]bool{}
	for k := range total {
		if err := ctx.Err(); err != nil {
			return rep.summarise(r.Rules), fmt.Errorf("replay: %w", err)
		}
		now := r.Start.Add(time.Duration(k) * r.Step)
		alerts, err := r.Evaluate(ctx, now)
		switch {
		case errors.Is(err, detector.ErrNotEnoughData):
			rep.Skipped++
		case err != nil:
			return rep.summarise(r.Rules), fmt.Errorf("replay at %s: %w", now.Format(time.RFC3339), err)
		}
		for _, a := range alerts {
			if key := (alertKey{a.Rule, a.Time.UnixNano()}); !seen[key] {
				seen[key] = true
				rep.Alerts = append(rep.Alerts, a)
			}
		}
		rep.Ticks++
		if r.Progress != nil {
			r.Progress(k+1, total)
		}
	}
	return rep.summarise(r.Rules), nil
}

type alertKey struct {
	rule string
	t    int64
}

// For returns the alerts of one rule.
func (rep Report) For(rule string) []Alert {
	var out []Alert
	for _, a := range rep.Alerts {
		if a.Rule == rule {
			out = append(out, a)
		}
	}
	return out
}

// summarise fills Rules from Alerts.
func (rep Report) summarise(rules []string) Report {
	names := slices.Clone(rules)
	for _, a := range rep.Alerts {
		names = append(names, a.Rule)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	weeks := float64(rep.End.Sub(rep.Start)) / float64(week)
	rep.Rules = make([]RuleSummary, 0, len(names))
	for _, n := range names {
		s := incidents(rep.For(n), rep.Step)
		s.Rule = n
		if weeks > 0 {
			s.AlertsPerWeek = float64(s.Alerts) / weeks
			s.IncidentsPerWeek = float64(s.Incidents) / weeks
		}
		rep.Rules = append(rep.Rules, s)
	}
	return rep
}

// incidents counts alerts and groups them into incidents: runs of alerts
// whose buckets are at most one granularity apart.
func incidents(alerts []Alert, step time.Duration) RuleSummary {
	slices.SortFunc(alerts, func(a, b Alert) int { return a.Time.Compare(b.Time) })
	s := RuleSummary{Alerts: len(alerts)}
	var first, last time.Time
	flush := func(g time.Duration) {
		if d := last.Sub(first) + g; s.Incidents > 0 && d > s.Longest {
			s.Longest, s.LongestStart = d, first
		}
	}
	var g time.Duration
	for i, a := range alerts {
		if i > 0 && a.Time.Sub(last) <= g {
			last = a.Time
			continue
		}
		flush(g)
		g = a.Granularity
		if g <= 0 {
			g = step
		}
		first, last = a.Time, a.Time
		s.Incidents++
	}
	flush(g)
	return s
}
