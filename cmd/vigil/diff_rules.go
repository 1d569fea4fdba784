package main

import (
	"reflect"
	"strings"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/engine"
)

// ruleDiff is what a change of config does to one rule's alerts over the
// replayed range.
type ruleDiff struct {
	name             string
	status           string   // "added", "removed", "changed" or "unchanged"
	changed          []string // keys that differ, for a changed rule
	before, after    int      // alerts fired by the old and the new rule
	added, removed   []detector.Point
	errBefore, errAf error
	loc              *time.Location
}

// diffRules pairs the rules of both configs by name, in the new config's
// order then the removed ones, and compares their replays.
func diffRules(oldCfg, newCfg *config.Config, oldRes, newRes []engine.BacktestResult) []ruleDiff {
	oldM, newM := metricsByName(oldCfg), metricsByName(newCfg)
	oldR, newR := resultsByName(oldRes), resultsByName(newRes)
	var out []ruleDiff
	for _, m := range newCfg.Metrics {
		d := ruleDiff{name: m.Name, status: "added"}
		if om, ok := oldM[m.Name]; ok {
			d.status = "unchanged"
			if d.changed = changedKeys(om, m); len(d.changed) > 0 {
				d.status = "changed"
			}
		}
		after, before := newR[m.Name], oldR[m.Name]
		d.fill(before, after)
		out = append(out, d)
	}
	for _, m := range oldCfg.Metrics {
		if _, ok := newM[m.Name]; ok {
			continue
		}
		d := ruleDiff{name: m.Name, status: "removed"}
		d.fill(oldR[m.Name], nil)
		out = append(out, d)
	}
	return out
}

// fill compares the alerts of the two replays by bucket; either may be nil.
func (d *ruleDiff) fill(before, after *engine.BacktestResult) {
	var b, a []detector.Point
	if before != nil {
		b, d.errBefore = before.Alerts(), before.Err
	}
	if after != nil {
		a, d.errAf = after.Alerts(), after.Err
	}
	for _, r := range []*engine.BacktestResult{after, before} {
		if r != nil && d.loc == nil {
			d.loc = r.Location
		}
	}
	d.before, d.after = len(b), len(a)
	d.added, d.removed = minus(a, b), minus(b, a)
}

// minus returns the points of a whose bucket is not among b's.
func minus(a, b []detector.Point) []detector.Point {
	seen := map[int64]bool{}
	for _, p := range b {
		seen[p.Time.UnixNano()] = true
	}
	var out []detector.Point
	for _, p := range a {
		if !seen[p.Time.UnixNano()] {
			out = append(out, p)
		}
	}
	return out
}

func metricsByName(cfg *config.Config) map[string]config.Metric {
	out := map[string]config.Metric{}
	for _, m := range cfg.Metrics {
		out[m.Name] = m
	}
	return out
}

func resultsByName(rs []engine.BacktestResult) map[string]*engine.BacktestResult {
	out := map[string]*engine.BacktestResult{}
	for i := range rs {
		out[rs[i].Rule] = &rs[i]
	}
	return out
}

// changedKeys names the settings of a metric that differ, in the config's
// snake_case for the detect settings ("detect.upper").
func changedKeys(a, b config.Metric) []string {
	a.Pos, b.Pos = config.Pos{}, config.Pos{}
	a.Location, b.Location = nil, nil // Timezone says the same
	var out []string
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		f := va.Type().Field(i)
		if f.Name == "Detect" {
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, snake(f.Name))
		}
	}
	da, db := reflect.ValueOf(a.Detect), reflect.ValueOf(b.Detect)
	for i := range da.NumField() {
		f := da.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if !reflect.DeepEqual(da.Field(i).Interface(), db.Field(i).Interface()) {
			out = append(out, "detect."+snake(f.Name))
		}
	}
	return out
}

// snake turns a Go field name into the config's key: MinRelDelta → min_rel_delta.
func snake(s string) string {
	switch s {
	case "SQL":
		return "sql"
	case "FillZero":
		return "fill"
	}
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stamp formats a bucket in its rule's zone.
func stamp(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
