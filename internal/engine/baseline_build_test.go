package engine

import (
	"testing"
	"testing/fstest"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/state"
	"vigil/notifiers"
	"vigil/notifiers/console"
	"vigil/sources"
)

// TestBuildExcludesPastIncidents checks that Build's detectors read the
// store: past incidents inflate the mean of the last seven days, so the
// usual value at 09:00 looks like a drop; kept out of the baseline, they no
// longer do, unless they were marked not an anomaly (normal data).
func TestBuildExcludesPastIncidents(t *testing.T) {
	cfg, err := config.LoadFS(fstest.MapFS{
		"vigil.yaml": {Data: []byte("sources: {fake: {type: duckdb}}\nnotifiers: {out: {type: console}}\n" +
			"defaults: {granularity: 1h, detect: {method: change, offset: 1d, periods: 7, aggregate: mean, relative: true, max: 50%}}\n")},
		"rules/m.yaml": {Data: []byte("metrics: [{name: orders, table: t, timestamp: ts, value: count()}]\n")},
	}, "vigil.yaml")
	check(t, err)
	m := cfg.Metrics[0]
	day0 := at("2024-03-01T00:00:00Z")
	const days = 9
	spike := func(d int) bool { return d == 4 || d == 6 } // 09:00 on 2 of the 7 days before the judged one
	vals := make([]float64, days*24)
	for i := range vals {
		vals[i] = 100 + float64(i%7)
		if d := i / 24; i%24 == 9 && spike(d) {
			vals[i] = 1000
		}
	}
	s := detector.Series{Start: day0, Step: time.Hour, Loc: time.UTC, Values: vals}
	judged := (days-1)*24 + 9
	verdict := func(store *state.Store) bool {
		t.Helper()
		nots := map[string]notifiers.Notifier{"out": console.New(nil)}
		r, err := buildRule(cfg, m, map[string]sources.Source{"fake": &fakeSource{}}, nots, Options{Store: store}.withDefaults())
		check(t, err)
		pts, err := r.Detector.Detect(s, judged)
		check(t, err)
		return pts[0].Anomaly
	}
	store := openStore(t)
	if !verdict(store) {
		t.Fatalf("with the spikes in the baseline, the usual value at 09:00 should look like a drop")
	}
	var ids []string
	for d := range days - 1 {
		if spike(d) {
			b := day0.Add(time.Duration(d*24+9) * time.Hour)
			inc := state.Incident{Rule: "orders", State: state.Resolved, Start: b, LastBucket: b, ResolvedAt: b.Add(2 * time.Hour), Points: []time.Time{b}}
			check(t, store.PutIncident(&inc))
			ids = append(ids, inc.ID)
		}
	}
	if verdict(store) {
		t.Errorf("with the past incidents kept out of the baseline, the usual value at 09:00 is still an anomaly")
	}
	for _, id := range ids {
		_, err := store.SetFeedback(id, state.NotAnomaly, "U1", day0, func(b time.Time) time.Time { return b.Add(time.Hour) })
		check(t, err)
	}
	if !verdict(store) {
		t.Errorf("with the past incidents marked not an anomaly, they are in the baseline again: the usual value should look like a drop")
	}
}
