package ruletest

import (
	"fmt"
	"maps"
	"time"

	"vigil/detector"
	"vigil/detector/explain"
	"vigil/internal/backtest"
	"vigil/internal/engine"
)

// got is what one rule said at an evaluation: an alert, or an error.
type got struct {
	metric string
	bucket time.Time
	point  detector.Point
	err    error
	// expl explains the alert when the metric was given segments; dims
	// are the dimensions it was broken down by, in the rule's order.
	expl *explain.Explanation
	dims []string
}

// alertsOf keeps the anomalies and the failures among results; a bucket
// judged normal, or with nothing to judge, raises no alert. dims are the
// dimensions each metric is broken down by.
func alertsOf(results []engine.Result, dims map[string][]string) []got {
	var out []got
	for _, r := range results {
		switch r.Verdict() {
		case engine.VerdictAnomaly:
			p, _ := r.Latest()
			out = append(out, got{metric: r.Rule, bucket: r.Bucket, point: p, expl: r.Explanation, dims: dims[r.Rule]})
		case engine.VerdictError:
			out = append(out, got{metric: r.Rule, bucket: r.Bucket, err: r.Err})
		}
	}
	return out
}

// compare matches the expected alerts of the evaluation at at with what
// the rules said, and returns the differences: "- want" for an alert that
// did not fire, "+ got" for one that was not expected.
func compare(at time.Time, want []AlertSpec, gots []got) []string {
	used := make([]bool, len(gots))
	var lines []string
	for _, w := range want {
		found := false
		for i, g := range gots {
			if !used[i] && matches(w, g) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			lines = append(lines, "  - want "+describeWant(w))
		}
	}
	for i, g := range gots {
		if !used[i] {
			lines = append(lines, "  + got  "+describeGot(g))
			lines = append(lines, describeExplanation(g)...)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	head := fmt.Sprintf("at %s: %d expected, %d raised", at.UTC().Format(time.RFC3339), len(want), countAlerts(gots))
	return append([]string{head}, lines...)
}

func countAlerts(gots []got) int {
	n := 0
	for _, g := range gots {
		if g.err == nil {
			n++
		}
	}
	return n
}

func matches(w AlertSpec, g got) bool {
	if g.err != nil || w.Metric != g.metric {
		return false
	}
	if w.Bucket != "" {
		b, err := backtest.ParseTime(w.Bucket)
		if err != nil || !b.Equal(g.bucket) {
			return false
		}
	}
	if w.Direction != "" && w.Direction != direction(g.point.Direction) {
		return false
	}
	return within(w.Expected, g.point.Expected) && within(w.Value, g.point.Value) && contributes(w, g)
}

// contributes reports whether the first contributor of g's explanation is
// exactly the segment w wants, with its share in w's range.
func contributes(w AlertSpec, g got) bool {
	if w.Contributor == nil {
		return true
	}
	if g.expl == nil || len(g.expl.Contributors) == 0 {
		return false
	}
	top := g.expl.Contributors[0]
	return maps.Equal(top.Segment, dims(w.Contributor.Dims)) && within(w.Share, top.Share)
}

func within(r []float64, x float64) bool {
	return r == nil || (x >= r[0] && x <= r[1])
}
