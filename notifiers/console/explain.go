package console

import (
	"strings"
	"unicode/utf8"

	"vigil/detector/explain"
)

// Layout of an explanation under an alert: the same "  label  value"
// columns as the alert's own lines, the sentence wrapped to fit a terminal.
const (
	explainIndent = "  "
	explainLabel  = 9  // width of the label column
	explainWidth  = 76 // runes of text per line after the label column
	explainRows   = 5  // contributors shown at most
)

// FormatExplanation renders an alert's Explanation for a terminal, to be
// written under the alert's other lines: the sentence under "why", wrapped,
// then a table of the top contributors (those that explain the move, and
// the next largest moves up to five), then each note under "note". It
// returns "" when x is not an *explain.Explanation, nil included.
func FormatExplanation(x any) string {
	e, ok := x.(*explain.Explanation)
	if !ok || e == nil {
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
		n := min(max(e.ExplainedBy, 3), explainRows)
		for _, line := range strings.Split(strings.TrimRight(e.Table(n), "\n"), "\n") {
			b.WriteString(explainIndent + strings.Repeat(" ", explainLabel+1) + line + "\n")
		}
	}
	for _, n := range e.Notes {
		field("note", n)
	}
	return b.String()
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
