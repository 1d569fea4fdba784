package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"vigil/detector/explain"
	"vigil/internal/engine"
	"vigil/internal/humanize"
)

// writeExplanation prints the detector's verdict on the bucket, the
// sentence, the top contributors, the dimensions ranked and the notes.
func writeExplanation(w io.Writer, res engine.Result, x *explain.Explanation, top int) error {
	var b strings.Builder
	cells := row(res)
	fmt.Fprintf(&b, "%s at %s: %s (actual %s, expected %s, normal %s)\n\n", res.Rule, cells[1], cells[7], cells[2], cells[3], cells[4])
	b.WriteString(x.Sentence + "\n")
	if len(x.Contributors) > 0 {
		b.WriteString("\n" + x.Table(top))
	}
	if len(x.Dimensions) > 0 {
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "dimension\texplains\tsurprise\tsegments")
		for _, d := range x.Dimensions {
			fmt.Fprintf(tw, "%s\t%s\t%.3f\t%d\n", d.Name, humanize.Percent(d.ExplanatoryPower), d.Surprise, d.Segments)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(x.Notes) > 0 {
		b.WriteString("\nnotes:\n")
		for _, n := range x.Notes {
			b.WriteString("  - " + n + "\n")
		}
	}
	fmt.Fprintf(&b, "\n%d breakdown %s, verdict %s\n", x.Queries, word(x.Queries, "query", "queries"), x.Verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

func word(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
