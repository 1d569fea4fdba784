package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"vigil/detector"
	"vigil/internal/humanize"
)

// writeDiff writes the comparison as Markdown for a pull request comment:
// a table of the rules whose alerts or settings change, then the alerts
// added and removed per rule.
func writeDiff(w io.Writer, diffs []ruleDiff, from, to time.Time, oldName string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### vigil diff against %s\n\n", oldName)
	fmt.Fprintf(&b, "Replayed from %s to %s UTC.\n\n", from.UTC().Format("2006-01-02 15:04"), to.UTC().Format("2006-01-02 15:04"))
	var shown []ruleDiff
	for _, d := range diffs {
		if d.status != "unchanged" || len(d.added)+len(d.removed) > 0 || d.errBefore != nil || d.errAf != nil {
			shown = append(shown, d)
		}
	}
	if len(shown) == 0 {
		fmt.Fprintf(&b, "No rule changes and no alert changes (%d rules).\n", len(diffs))
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("| rule | change | alerts before | alerts after | added | removed |\n|---|---|---:|---:|---:|---:|\n")
	for _, d := range shown {
		what := d.status
		if len(d.changed) > 0 {
			what += ": " + strings.Join(d.changed, ", ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d |\n", d.name, what, count(d.before, d.errBefore, d.status == "added"),
			count(d.after, d.errAf, d.status == "removed"), len(d.added), len(d.removed))
	}
	for _, d := range shown {
		if len(d.added)+len(d.removed) == 0 && d.errBefore == nil && d.errAf == nil {
			continue
		}
		fmt.Fprintf(&b, "\n#### %s\n\n", d.name)
		for _, e := range []struct {
			label string
			err   error
		}{{"before", d.errBefore}, {"after", d.errAf}} {
			if e.err != nil {
				fmt.Fprintf(&b, "- could not replay %s: %v\n", e.label, e.err)
			}
		}
		writePoints(&b, "Added", d.added, d)
		writePoints(&b, "Removed", d.removed, d)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// count is a replay's number of alerts, "—" when the rule is absent and
// "error" when it failed.
func count(n int, err error, absent bool) string {
	switch {
	case absent:
		return "—"
	case err != nil && !errors.Is(err, detector.ErrNotEnoughData):
		return "error"
	case err != nil:
		return "too little history"
	}
	return fmt.Sprint(n)
}

func writePoints(b *strings.Builder, label string, pts []detector.Point, d ruleDiff) {
	if len(pts) == 0 {
		return
	}
	fmt.Fprintf(b, "%s alerts (%d):\n", label, len(pts))
	for _, p := range pts {
		fmt.Fprintf(b, "- %s: %s, expected %s (%s)\n", stamp(p.Time, d.loc), humanize.Number(p.Value), humanize.Number(p.Expected), direction(p.Direction))
	}
}

func direction(d detector.Direction) string {
	switch d {
	case detector.Up:
		return "up"
	case detector.Down:
		return "down"
	}
	return "missing"
}
