package explain

import (
	"strings"
	"unicode/utf8"

	"vigil/internal/humanize"
)

// Table renders up to n contributors as an aligned text table for the
// console: segment, actual, expected, change and share, plus the mix and
// rate effects for a ratio. A segment that refines a broader one is shown
// with all its conditions; n <= 0 shows them all.
func (e *Explanation) Table(n int) string {
	head := []string{"segment", "actual", "expected", "change", "share"}
	if e.Effects != nil {
		head = append(head, "mix", "rate")
	}
	rows := [][]string{head}
	cs := e.Contributors
	if n > 0 && n < len(cs) {
		cs = cs[:n]
	}
	for _, c := range cs {
		row := []string{name(c, e.order), fmtValue(c.Actual, e.Unit), fmtValue(c.Expected, e.Unit),
			fmtDelta(c.Delta, e.Unit), humanize.Percent(c.Share)}
		if c.RatioParts != nil {
			row = append(row, fmtDelta(c.MixEffect, e.Unit), fmtDelta(c.RateEffect, e.Unit))
		}
		rows = append(rows, row)
	}
	return render(rows)
}

// render aligns rows: the first column to the left, the others to the right,
// counting runes so that "−" takes one column.
func render(rows [][]string) string {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				b.WriteString(c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
