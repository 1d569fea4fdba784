package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// QuietWindow is a recurring time, in the metric's zone, when notifications
// about firing incidents are held: maintenance nights, weekends, holidays.
// Every part it sets must match; a window that sets only days covers those
// whole days.
type QuietWindow struct {
	Days  []time.Weekday // empty: any day of the week
	Dates []string       // "2006-01-02" dates; empty: any date
	// From and To are times of day as offsets from midnight. The window
	// runs from From up to To, across midnight when To is not after From
	// (22:00 to 06:00); equal values (both unset) mean the whole day. A
	// night that crosses midnight belongs to the day it starts on.
	From, To time.Duration
}

// Active reports whether the window holds notifications at t, read in loc.
func (w QuietWindow) Active(t time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, mo, d := t.Date()
	midnight := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	clock := t.Sub(midnight)
	switch {
	case w.From == w.To:
		return w.dayMatches(t)
	case w.From < w.To:
		return clock >= w.From && clock < w.To && w.dayMatches(t)
	case clock >= w.From: // the evening part of a night window
		return w.dayMatches(t)
	case clock < w.To: // the morning part: the night started the day before
		return w.dayMatches(midnight.AddDate(0, 0, -1))
	}
	return false
}

func (w QuietWindow) dayMatches(day time.Time) bool {
	if len(w.Days) > 0 && !slices.Contains(w.Days, day.Weekday()) {
		return false
	}
	return len(w.Dates) == 0 || slices.Contains(w.Dates, day.Format(time.DateOnly))
}

// Quiet reports whether any of the windows holds notifications at t.
func Quiet(windows []QuietWindow, t time.Time, loc *time.Location) bool {
	return slices.ContainsFunc(windows, func(w QuietWindow) bool { return w.Active(t, loc) })
}

// rawQuiet is one quiet-hours window as written.
type rawQuiet struct {
	days, dates []string
	from, to    string
}

func (r *rawQuiet) fields() fields {
	return fields{
		"days":  stringList(&r.days),
		"dates": stringList(&r.dates),
		"from":  str(&r.from),
		"to":    str(&r.to),
	}
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// check validates the window written at key and returns it.
// reported says the window's keys were already reported, so a missing
// part is not.
func (r *rawQuiet) check(s *scope, key string, reported bool) (QuietWindow, bool) {
	var w QuietWindow
	ok := !reported
	fail := func(k, format string, args ...any) {
		s.errorf(k, format, args...)
		ok = false
	}
	for _, k := range []string{"days", "dates", "from", "to"} {
		if s.bad[key+"."+k] {
			ok = false
		}
	}
	for i, d := range r.days {
		wd, known := weekdays[strings.ToLower(strings.TrimSpace(d))]
		if !known {
			fail(fmt.Sprintf("%s.days[%d]", key, i), "unknown day %q; write mon, tue, wed, thu, fri, sat or sun", d)
			continue
		}
		w.Days = append(w.Days, wd)
	}
	for i, d := range r.dates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			fail(fmt.Sprintf("%s.dates[%d]", key, i), "want a date such as 2024-12-24, got %q", d)
			continue
		}
		w.Dates = append(w.Dates, d)
	}
	_, hasFrom := s.at[key+".from"]
	_, hasTo := s.at[key+".to"]
	if hasFrom != hasTo {
		fail(key, "give both from and to (times of day such as \"22:00\" and \"06:00\"), or neither for whole days")
	}
	var err error
	if hasFrom && r.from != "" {
		if w.From, err = clockTime(r.from); err != nil {
			fail(key+".from", "%v", err)
		}
	}
	if hasTo && r.to != "" {
		if w.To, err = clockTime(r.to); err != nil {
			fail(key+".to", "%v", err)
		}
	}
	if ok && hasFrom && w.From == w.To {
		fail(key+".to", "equals from; leave both out to cover whole days")
	}
	if ok && !hasFrom && len(w.Days) == 0 && len(w.Dates) == 0 {
		fail(key, "covers no time; give days, dates, or from and to")
	}
	return w, ok
}

// clockTime reads a time of day "15:04" as an offset from midnight.
func clockTime(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("want a time of day such as \"22:00\", got %q", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}
