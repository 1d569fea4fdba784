package console

import (
	"math"
	"strings"
	"unicode/utf8"

	"vigil/internal/humanize"
	"vigil/notifiers"
)

// Layout of an explanation under an alert: the same "  label  value"
// columns as the alert's own lines, the sentence wrapped to fit a terminal.
const (
	explainIndent = "  "
	explainLabel  = 9  // width of the label column
	explainWidth  = 76 // runes of text per line after the label column
	explainRows   = 5  // contributors shown at most
)

// FormatExplanation renders an alert's explanation for a terminal, to be
// written under the alert's other lines: the sentence under "why", wrapped,
// then a table of the top contributors, then each note under "note". It
// returns "" for a nil explanation.
func FormatExplanation(e *notifiers.Explanation, unit string) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	field := func(label, text string) {
		for i, line := range wrapWords(text, explainWidth) {
			if i > 0 {
				label = ""
			}
			b.WriteString(explainIndent + padRight(label, explainLabel) + " " + line + "\n")
		}
	}
	if e.Sentence != "" {
		field("why", e.Sentence)
	}
	if len(e.Contributors) > 0 {
		for _, line := range contributorTable(e.Contributors[:min(len(e.Contributors), explainRows)], unit) {
			b.WriteString(explainIndent + strings.Repeat(" ", explainLabel+1) + line + "\n")
		}
	}
	for _, n := range e.Notes {
		field("note", n)
	}
	return b.String()
}

// contributorTable lays out segment, actual, expected, change and share in
// aligned columns, a header first.
func contributorTable(cs []notifiers.Contributor, unit string) []string {
	rows := [][]string{{"segment", "actual", "expected", "change", "share"}}
	for _, c := range cs {
		rows = append(rows, []string{segment(c.Segment), value(c.Actual, unit), value(c.Expected, unit),
			signed(c.Delta, unit), share(c.Share)})
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	lines := make([]string, len(rows))
	for j, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			if i == 0 {
				b.WriteString(padRight(cell, width[i]))
				continue
			}
			b.WriteString("  " + strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell)) + cell)
		}
		lines[j] = strings.TrimRight(b.String(), " ")
	}
	return lines
}

// segment writes a segment as "country=BR & platform=android".
func segment(vs []notifiers.SegmentValue) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Dimension + "=" + v.Value
	}
	return strings.Join(parts, " & ")
}

func share(f float64) string {
	if math.IsNaN(f) {
		return "n/a"
	}
	return humanize.Percent(f)
}

// wrapWords splits text into lines of at most width runes, breaking at
// spaces; a word longer than width gets a line of its own.
func wrapWords(text string, width int) []string {
	var lines []string
	var line strings.Builder
	for _, w := range strings.Fields(text) {
		if line.Len() > 0 && utf8.RuneCountInString(line.String())+1+utf8.RuneCountInString(w) > width {
			lines = append(lines, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	if line.Len() > 0 {
		lines = append(lines, line.String())
	}
	return lines
}

func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(n-utf8.RuneCountInString(s), 0))
}
