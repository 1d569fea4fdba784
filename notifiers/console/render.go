package console

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"vigil/internal/humanize"
	"vigil/notifiers"
)

// ANSI escapes for WithColor.
const (
	red   = "\x1b[1;31m"
	green = "\x1b[1;32m"
	reset = "\x1b[0m"
)

// render writes a's block: a headline, aligned "label  value" lines, and a
// blank line that separates it from the next block.
func render(b *bytes.Buffer, a notifiers.Alert, color, sql bool) {
	head, paint := headline(a)
	if color {
		head = paint + head + reset
	}
	b.WriteString(head + "\n")
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(b, "  %-9s %s\n", label, value)
		}
	}
	line("time", when(a.Time, a.Granularity, a.Location))
	line("actual", valueOrMissing(a.Value, a.Unit))
	line("expected", expected(a))
	if a.State != notifiers.Resolved {
		line("change", change(a))
		line("score", score(a.Score))
		line("reason", a.Reason)
	}
	line("recent", recent(a))
	line("method", a.HowJudged())
	line("rule", rule(a))
	line("owner", a.Owner)
	line("runbook", a.Runbook)
	b.WriteString(FormatExplanation(a.Explanation, a.Unit))
	if sql && a.Query != "" {
		b.WriteString("  query\n")
		for _, l := range strings.Split(strings.TrimRight(a.Query, "\n"), "\n") {
			b.WriteString("    " + l + "\n")
		}
	}
	b.WriteString("\n")
}

// headline says what happened in one line, and the colour it deserves.
func headline(a notifiers.Alert) (string, string) {
	name := a.Rule
	if a.Description != "" {
		name += ": " + a.Description
	}
	if a.State == notifiers.Resolved {
		return "✔ RESOLVED  " + name + " — back to normal", green
	}
	arrow, move := "▲", "rose"
	if a.Side() == "down" {
		arrow, move = "▼", "fell"
	}
	switch c := a.Change(); {
	case math.IsNaN(a.Value):
		return "● FIRING  " + name + " — no data", red
	case math.IsNaN(c) || math.IsInf(c, 0):
		side := "above its normal range"
		if move == "fell" {
			side = "below its normal range"
		}
		return arrow + " FIRING  " + name + " — " + side, red
	default:
		return arrow + " FIRING  " + name + " " + move + " " + humanize.Percent(math.Abs(c)), red
	}
}

// expected is the expected value and the normal band around it.
func expected(a notifiers.Alert) string {
	e := "n/a"
	if !math.IsNaN(a.Expected) {
		e = value(a.Expected, a.Unit)
	}
	if band := band(a.Lower, a.Upper, a.Unit); band != "" {
		e += ", normal " + band
	}
	return e
}

// band describes [lower, upper]; an infinite or missing side is open.
func band(lower, upper float64, unit string) string {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case finite(lower) && finite(upper):
		return value(lower, unit) + " to " + value(upper, unit)
	case finite(upper):
		return "up to " + value(upper, unit)
	case finite(lower):
		return "from " + value(lower, unit)
	}
	return ""
}

// change is the move against expected, relative and absolute, and its
// direction. A percentage metric moves in percentage points.
func change(a notifiers.Alert) string {
	c := a.Change()
	switch {
	case math.IsNaN(a.Value):
		return ""
	case math.IsNaN(c) || math.IsInf(c, 0):
		return a.Side()
	}
	rel := humanize.Percent(c)
	if c > 0 {
		rel = "+" + rel
	}
	delta := a.Value - a.Expected
	if a.Unit == "%" {
		return humanize.Signed(delta*100) + " pp (" + rel + "), " + a.Side()
	}
	return rel + " (" + signed(delta, a.Unit) + "), " + a.Side()
}

func score(s float64) string {
	if math.IsNaN(s) {
		return ""
	}
	return fmt.Sprintf("%.2f of 1", s)
}

// rule names the rule, and the alert when its id says more than the rule.
func rule(a notifiers.Alert) string {
	if a.ID == "" || a.ID == a.Rule {
		return a.Rule
	}
	return a.Rule + " (alert " + a.ID + ")"
}
