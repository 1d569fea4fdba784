package console

import (
	"math"
	"strings"
	"time"

	"vigil/internal/humanize"
	"vigil/notifiers"
)

// value formats x in its unit (humanize.Value).
func value(x float64, unit string) string { return humanize.Value(x, unit) }

// signed is value with an explicit sign (humanize.Delta).
func signed(x float64, unit string) string { return humanize.Delta(x, unit) }

func valueOrMissing(x float64, unit string) string {
	if math.IsNaN(x) {
		return "no data"
	}
	return value(x, unit)
}

// when formats the bucket starting at t in the rule's zone: "Mon 2 Mar
// 2026 08:00–09:00 UTC" for hours, "Mon 2 Mar 2026 America/Sao_Paulo" for
// a day, "Mon 2 Mar – Sun 8 Mar 2026 UTC" for longer calendar buckets.
func when(t time.Time, g time.Duration, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	const day = 24 * time.Hour
	zone := loc.String()
	switch {
	case g <= 0:
		return t.Format("Mon 2 Jan 2006 15:04") + " " + zone
	case g == day:
		return t.Format("Mon 2 Jan 2006") + " " + zone
	case g%day == 0:
		last := t.AddDate(0, 0, int(g/day)-1)
		return t.Format("Mon 2 Jan") + " – " + last.Format("Mon 2 Jan 2006") + " " + zone
	}
	end := t.Add(g)
	if end.YearDay() != t.YearDay() && end.Hour()+end.Minute() != 0 {
		return t.Format("Mon 2 Jan 2006 15:04") + " – " + end.Format("Mon 2 Jan 15:04") + " " + zone
	}
	return t.Format("Mon 2 Jan 2006 15:04") + "–" + end.Format("15:04") + " " + zone
}

// sparks are the levels of a sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// recent draws the alert's recent values as a sparkline, oldest first, and
// says how far back it goes. Missing buckets are blank.
func recent(a notifiers.Alert) string {
	h := a.History
	if len(h) < 2 {
		return ""
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range h {
		if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		}
	}
	if lo > hi {
		return ""
	}
	var b strings.Builder
	for _, p := range h {
		b.WriteRune(spark(p, lo, hi))
	}
	if a.Granularity > 0 {
		b.WriteString("  last " + humanize.Duration(a.Granularity*time.Duration(len(h))))
	}
	return b.String()
}

func spark(p notifiers.HistoryPoint, lo, hi float64) rune {
	if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		return ' '
	}
	if hi == lo {
		return sparks[len(sparks)/2]
	}
	i := int((p.Value - lo) / (hi - lo) * float64(len(sparks)-1))
	return sparks[max(0, min(i, len(sparks)-1))]
}
