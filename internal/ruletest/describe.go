package ruletest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"vigil/detector"
)

// topContributors is how many of an explanation's contributors a diff
// shows.
const topContributors = 3

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
	if c := w.Contributor; c != nil {
		parts = append(parts, "top contributor "+segmentKey(dims(c.Dims), names(c.Dims)))
	}
	if w.Share != nil {
		parts = append(parts, fmt.Sprintf("share in [%s, %s]", num(w.Share[0]), num(w.Share[1])))
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

// describeExplanation shows what an alert's explanation says, under the
// alert's line: its top contributors with their shares of the change, or
// why it names none. An alert of a metric given no segments has none.
func describeExplanation(g got) []string {
	const indent = "         "
	x := g.expl
	switch {
	case x == nil || len(x.Contributors) == 0 && x.Verdict == "" && len(x.Notes) == 0:
		return nil
	case len(x.Contributors) == 0 && x.Verdict == "":
		return []string{indent + strings.Join(x.Notes, "; ")}
	case len(x.Contributors) == 0:
		return []string{indent + fmt.Sprintf("no contributors (%s)", x.Verdict)}
	}
	var parts []string
	for _, c := range x.Contributors[:min(len(x.Contributors), topContributors)] {
		parts = append(parts, fmt.Sprintf("%s (share %s)", segmentKey(c.Segment, g.dims), share(c.Share)))
	}
	return []string{indent + fmt.Sprintf("top contributors (%s): %s", x.Verdict, strings.Join(parts, "; "))}
}

// num formats a number shortly and the same on every machine.
func num(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

// share formats a share of the change to two decimals, as a test states it.
func share(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
