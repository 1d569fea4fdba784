package engine

import (
	"log/slog"
	"slices"
	"sync"
	"time"

	"vigil/config"
	"vigil/internal/methods"
	"vigil/internal/state"
)

// baselineRefresh is how long the incident and feedback spans read from the
// store serve a rule's detector before they are read again: one read per
// evaluation rather than one per bucket of history.
const baselineRefresh = time.Second

// baselineOptions returns the options that keep the buckets of the rule's
// past incidents (detect.exclude.incidents) and of spans confirmed as
// anomalies (detect.exclude.feedback) out of its baselines, read from
// store. An incident marked not an anomaly was normal data and stays in.
// Without a store there is nothing to read.
func baselineOptions(store *state.Store, m config.Metric, log *slog.Logger) []methods.Option {
	if store == nil {
		return nil
	}
	x := &storedSpans{store: store, m: m, log: log}
	return []methods.Option{
		methods.Incidents(func(b time.Time) bool { return within(x.spans().incidents, b) }),
		methods.Feedback(func(b time.Time) bool { return within(x.spans().feedback, b) }),
	}
}

// storedSpans caches a rule's incident and feedback spans.
type storedSpans struct {
	store *state.Store
	m     config.Metric
	log   *slog.Logger

	mu     sync.Mutex
	read   time.Time
	cached spans
}

type spans struct {
	incidents, feedback []state.Range // merged, in order
}

func (x *storedSpans) spans() spans {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.read.IsZero() && time.Since(x.read) < baselineRefresh {
		return x.cached
	}
	s, err := x.load()
	if err != nil {
		// Keep the last spans read: a baseline with an incident too many
		// is better than no verdict.
		x.log.Warn("cannot read past incidents for the baseline", "rule", x.m.Name, "err", err)
		return x.cached
	}
	x.read, x.cached = time.Now(), s
	return s
}

func (x *storedSpans) load() (spans, error) {
	incs, err := x.store.ListIncidents(state.IncidentFilter{Rule: x.m.Name})
	if err != nil {
		return spans{}, err
	}
	fb, err := x.store.ExcludedRanges(x.m.Name, time.Time{}, time.Time{}, false)
	if err != nil {
		return spans{}, err
	}
	loc := x.m.Location
	if loc == nil {
		loc = time.UTC
	}
	end := func(b time.Time) time.Time { return shift(b.In(loc), x.m.Granularity, loc, 1) }
	var rs []state.Range
	for _, inc := range incs {
		if inc.Feedback == state.NotAnomaly {
			continue
		}
		pts := inc.Points
		if len(pts) == 0 {
			pts = []time.Time{inc.Start}
		}
		for _, p := range pts {
			rs = append(rs, state.Range{Start: p, End: end(p)})
		}
	}
	slices.SortFunc(rs, func(a, b state.Range) int { return a.Start.Compare(b.Start) })
	return spans{incidents: rs, feedback: fb}, nil
}

// within reports whether b falls in one of the ordered spans rs.
func within(rs []state.Range, b time.Time) bool {
	i, _ := slices.BinarySearchFunc(rs, b, func(r state.Range, t time.Time) int {
		if !r.End.After(t) {
			return -1
		}
		if r.Start.After(t) {
			return 1
		}
		return 0
	})
	return i < len(rs) && !rs[i].Start.After(b) && rs[i].End.After(b)
}
