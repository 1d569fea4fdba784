package slack

import (
	"strings"

	slackgo "github.com/slack-go/slack"

	"vigil/internal/humanize"
	"vigil/notifiers"
)

// Table sizes: how many contributors a message shows, and how long one
// segment's name may get before it is cut.
const (
	tableTopRows   = 10
	tablePageSize  = 5
	maxSegmentText = 300
)

// contributorsTable lists the segments behind the move: segment, actual,
// expected, change, share, and for ratio metrics the mix and rate effects.
// It is nil when the alert has no contributors.
func contributorsTable(a notifiers.Alert) slackgo.Block {
	e := explanationOf(a)
	if e == nil || len(e.Contributors) == 0 {
		return nil
	}
	ratio := false
	for _, c := range e.Contributors {
		ratio = ratio || c.MixEffect != nil || c.RateEffect != nil
	}
	header := []string{"Segment", "Actual", "Expected", "Change", "Share"}
	if ratio {
		header = append(header, "Mix effect", "Rate effect")
	}
	t := slackgo.NewDataTableBlock(caption(e)).WithPageSize(tablePageSize)
	t.AddRow(textCells(header)...)
	for i, c := range e.Contributors {
		if i == min(tableTopRows, maxTableRows) {
			break
		}
		t.AddRow(contributorRow(c, a.Unit, ratio)...)
	}
	for len(t.Rows) > 2 && tableChars(t) > maxTableChars {
		t.Rows = t.Rows[:len(t.Rows)-1]
	}
	return t
}

// caption names the table and says how much of the move it explains.
func caption(e *notifiers.Explanation) string {
	switch strings.ToLower(strings.TrimSpace(e.Verdict)) {
	case "partial":
		return "Top contributors (they explain part of the change)"
	case "unexplained", "none":
		return "Largest segments (none explains the change on its own)"
	}
	return "Top contributors to the change"
}

func contributorRow(c notifiers.Contributor, unit string, ratio bool) []slackgo.DataTableCell {
	row := []slackgo.DataTableCell{
		slackgo.NewDataTableRawTextCell(truncate(segmentName(c.Segment), maxSegmentText)),
		numberCell(c.Actual, value(c.Actual, unit)),
		numberCell(c.Expected, value(c.Expected, unit)),
		numberCell(c.Delta, signed(c.Delta, unit)),
		numberCell(c.Share, humanize.Percent(c.Share)),
	}
	if ratio {
		row = append(row, effectCell(c.MixEffect, unit), effectCell(c.RateEffect, unit))
	}
	return row
}

// segmentName is "country=BR, platform=android", or "(all)".
func segmentName(seg []notifiers.SegmentValue) string {
	parts := make([]string, len(seg))
	for i, s := range seg {
		parts[i] = s.Dimension + "=" + s.Value
	}
	return nonEmpty(strings.Join(parts, ", "), "(all)")
}

// numberCell is a sortable number shown as text; n/a when x is not finite,
// since JSON has no NaN.
func numberCell(x float64, text string) slackgo.DataTableCell {
	if !finite(x) {
		return slackgo.NewDataTableRawTextCell("n/a")
	}
	return slackgo.NewDataTableRawNumberCell(round(x)).WithText(nonEmpty(text, "0"))
}

func effectCell(x *float64, unit string) slackgo.DataTableCell {
	if x == nil {
		return slackgo.NewDataTableRawTextCell("—")
	}
	return numberCell(*x, signed(*x, unit))
}

func textCells(ss []string) []slackgo.DataTableCell {
	cells := make([]slackgo.DataTableCell, len(ss))
	for i, s := range ss {
		cells[i] = slackgo.NewDataTableRawTextCell(s)
	}
	return cells
}

// tableChars counts the characters of every cell, as Slack's limit does.
func tableChars(t *slackgo.DataTableBlock) int {
	n := 0
	for _, row := range t.Rows {
		for _, c := range row {
			switch c := c.(type) {
			case *slackgo.DataTableRawTextCell:
				n += runeLen(c.Text)
			case *slackgo.DataTableRawNumberCell:
				n += runeLen(c.Text)
			}
		}
	}
	return n
}
