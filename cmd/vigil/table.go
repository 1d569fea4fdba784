package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"vigil/detector"
	"vigil/internal/engine"
	"vigil/internal/humanize"
)

// writeTable prints one line per result, aligned, with a header.
func writeTable(w io.Writer, results []engine.Result) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tBUCKET\tACTUAL\tEXPECTED\tBAND\tCHANGE\tSCORE\tVERDICT\tNOTE")
	for _, r := range results {
		fmt.Fprintln(tw, strings.Join(row(r), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var out strings.Builder
	for line := range strings.Lines(b.String()) {
		out.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// row formats one result; values the evaluation did not produce are "-".
func row(r engine.Result) []string {
	cells := []string{r.Rule, "-", "-", "-", "-", "-", "-", r.Verdict().String(), note(r)}
	if !r.Bucket.IsZero() {
		cells[1] = r.Bucket.In(r.Location).Format("2006-01-02 15:04 MST")
	}
	p, ok := r.Latest()
	if !ok {
		return cells
	}
	cells[2] = humanize.Number(p.Value)
	if p.Judged() {
		cells[3] = humanize.Number(p.Expected)
		cells[4] = humanize.Number(p.Lower) + " – " + humanize.Number(p.Upper)
		cells[5] = change(p)
		cells[6] = fmt.Sprintf("%.2f", p.Score)
	}
	return cells
}

func change(p detector.Point) string {
	if p.Expected == 0 || math.IsNaN(p.Value) {
		return "-"
	}
	c := (p.Value - p.Expected) / math.Abs(p.Expected)
	if c > 0 {
		return "+" + humanize.Percent(c)
	}
	return humanize.Percent(c)
}

// note says why a rule is anomalous, failed or has nothing to judge, and
// whether its alert was delivered.
func note(r engine.Result) string {
	var parts []string
	switch r.Verdict() {
	case engine.VerdictError:
		parts = append(parts, r.Err.Error())
	case engine.VerdictNoData:
		parts = append(parts, r.NoDataReason())
	case engine.VerdictAnomaly:
		p, _ := r.Latest()
		parts = append(parts, p.Reason)
	}
	if r.NotifyErr != nil {
		parts = append(parts, "alert not delivered: "+r.NotifyErr.Error())
	}
	return strings.ReplaceAll(strings.Join(parts, "; "), "\n", "; ")
}
