package slack

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"vigil/internal/humanize"
)

// value formats x in its unit (humanize.Value); NaN is "no data".
func value(x float64, unit string) string {
	if math.IsNaN(x) {
		return "no data"
	}
	return humanize.Value(x, unit)
}

// signed is value with an explicit sign (humanize.Delta); a percentage
// metric moves in percentage points.
func signed(x float64, unit string) string { return humanize.Delta(x, unit) }

// percent formats a relative change with its sign: "+12%", "−27%".
func percent(c float64) string {
	p := humanize.Percent(c)
	if c > 0 && p != "0%" {
		return "+" + p
	}
	return p
}

// finite reports whether x is a usable number.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// zoneName is the short name of loc at t: "UTC", "CET", or the location's
// name where the abbreviation is only an offset ("-03").
func zoneName(t time.Time, loc *time.Location) string {
	abbr, _ := t.In(loc).Zone()
	if abbr == "" || abbr[0] == '+' || abbr[0] == '-' {
		return loc.String()
	}
	return abbr
}

// loc returns l, or UTC when it is nil.
func loc(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

// at says when a bucket starting at t happened, for a header: "at 14:00
// UTC" for sub-day buckets, "on Mon 2 Mar" for days and longer.
func at(t time.Time, g time.Duration, l *time.Location) string {
	l = loc(l)
	if t.IsZero() {
		return ""
	}
	lt := t.In(l)
	if g >= 24*time.Hour {
		return "on " + lt.Format("Mon 2 Jan")
	}
	return "at " + lt.Format("15:04") + " " + zoneName(t, l)
}

// span formats the bucket starting at t in full: "Mon 2 Mar 2026
// 14:00–15:00 UTC", "Mon 2 Mar 2026" for a day, a range for weeks.
func span(t time.Time, g time.Duration, l *time.Location) string {
	l = loc(l)
	if t.IsZero() {
		return "unknown"
	}
	lt := t.In(l)
	const day = 24 * time.Hour
	switch {
	case g <= 0:
		return lt.Format("Mon 2 Jan 2006 15:04") + " " + zoneName(t, l)
	case g == day:
		return lt.Format("Mon 2 Jan 2006")
	case g%day == 0:
		last := lt.AddDate(0, 0, int(g/day)-1)
		return lt.Format("Mon 2 Jan") + " – " + last.Format("Mon 2 Jan 2006")
	}
	end := lt.Add(g)
	if end.YearDay() != lt.YearDay() && end.Hour()+end.Minute() != 0 {
		return lt.Format("Mon 2 Jan 2006 15:04") + " – " + end.Format("Mon 2 Jan 15:04") + " " + zoneName(t, l)
	}
	return lt.Format("Mon 2 Jan 2006 15:04") + "–" + end.Format("15:04") + " " + zoneName(t, l)
}

// words says a duration the way people do: "45 minutes", "3 hours",
// "2 days", "1 day 6 hours".
func words(d time.Duration) string {
	if d <= 0 {
		return "moments"
	}
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	days, hours := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour)
	minutes := int64(d % time.Hour / time.Minute)
	switch {
	case days > 0 && hours > 0:
		return unit(days, "day") + " " + unit(hours, "hour")
	case days > 0:
		return unit(days, "day")
	case hours > 0 && minutes > 0 && hours < 6:
		return unit(hours, "hour") + " " + unit(minutes, "minute")
	case hours > 0:
		return unit(hours, "hour")
	case minutes > 0:
		return unit(minutes, "minute")
	}
	return unit(int64(d/time.Second), "second")
}

// title is the metric's name for people: a short description when there
// is one ("Completed orders"), else the rule name with its first letter up
// and underscores as spaces ("Conversion rate").
func title(rule, description string) string {
	if d := strings.TrimSpace(description); d != "" && runeLen(d) <= 40 && !strings.ContainsAny(d, ".\n") {
		return d
	}
	s := strings.NewReplacer("_", " ", "-", " ").Replace(strings.TrimSpace(rule))
	if s == "" {
		return "Metric"
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
