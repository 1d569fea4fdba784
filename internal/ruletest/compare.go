package ruletest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"vigil/detector"
	"vigil/internal/backtest"
	"vigil/internal/engine"
)

// got is what one rule said at an evaluation: an alert, or an error.
type got struct {
	metric string
	bucket time.Time
	point  detector.Point
	err    error
}

// alertsOf keeps the anomalies and the failures among results; a bucket
// judged normal, or with nothing to judge, raises no alert.
func alertsOf(results []engine.Result) []got {
	var out []got
	for _, r := range results {
		switch r.Verdict() {
		case engine.VerdictAnomaly:
			p, _ := r.Latest()
			out = append(out, got{metric: r.Rule, bucket: r.Bucket, point: p})
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
	return within(w.Expected, g.point.Expected) && within(w.Value, g.point.Value)
}

func within(r []float64, x float64) bool {
	return r == nil || (x >= r[0] && x <= r[1])
}

func direction(d detector.Direction) string {
	switch d {
	case detector.Up:
		return "up"
	case detector.Down:
		return "down"
	}
	return "none"
}

func describeWant(w AlertSpec) string {
	parts := []string{w.Metric}
	if w.Direction != "" {
		parts = append(parts, w.Direction)
	}
	if w.Bucket != "" {
		parts = append(parts, "at bucket "+w.Bucket)
	}
	if w.Value != nil {
		parts = append(parts, fmt.Sprintf("value in [%s, %s]", num(w.Value[0]), num(w.Value[1])))
	}
	if w.Expected != nil {
		parts = append(parts, fmt.Sprintf("expected in [%s, %s]", num(w.Expected[0]), num(w.Expected[1])))
	}
	return strings.Join(parts, ", ")
}

func describeGot(g got) string {
	b := g.bucket.UTC().Format(time.RFC3339)
	if g.err != nil {
		return fmt.Sprintf("%s ERROR at bucket %s: %v", g.metric, b, g.err)
	}
	p := g.point
	return fmt.Sprintf("%s, %s, at bucket %s, value %s, expected %s (band %s to %s)",
		g.metric, direction(p.Direction), b, num(p.Value), num(p.Expected), num(p.Lower), num(p.Upper))
}

// num formats a number shortly and the same on every machine.
func num(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
