package methods

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"vigil/config"
)

// calendar knows a metric's mute windows and holidays.
type calendar struct {
	windows  []window
	holidays map[civilDate]bool
	loc      *time.Location
}

// window is a recurring mute window: open for dur from each time sched
// fires.
type window struct {
	sched cron.Schedule
	dur   time.Duration
}

type civilDate struct {
	y int
	m time.Month
	d int
}

func newCalendar(m config.Metric) (calendar, error) {
	c := calendar{loc: m.Location, holidays: map[civilDate]bool{}}
	if c.loc == nil {
		c.loc = time.UTC
	}
	for i, mu := range m.Detect.Mute {
		if mu.Duration <= 0 {
			return calendar{}, fmt.Errorf("mute[%d]: duration must be positive", i)
		}
		tz := m.Timezone
		if tz == "" {
			tz = c.loc.String()
		}
		sched, err := cron.ParseStandard(mu.CronSpec(tz))
		if err != nil {
			return calendar{}, fmt.Errorf("mute[%d]: schedule %q: %w", i, mu.Schedule, err)
		}
		if _, every := sched.(cron.ConstantDelaySchedule); every {
			return calendar{}, fmt.Errorf("mute[%d]: schedule %q has no fixed start", i, mu.Schedule)
		}
		c.windows = append(c.windows, window{sched: sched, dur: mu.Duration})
	}
	for i, day := range m.Detect.Holidays {
		t, err := time.Parse("2006-01-02", day)
		if err != nil {
			return calendar{}, fmt.Errorf("holidays[%d]: %q is not a date written YYYY-MM-DD", i, day)
		}
		c.holidays[civilDate{t.Year(), t.Month(), t.Day()}] = true
	}
	return c, nil
}

// inWindow reports whether t lies inside a mute window: some start s of a
// window with s ≤ t < s+dur. The first start after t−dur is the only one
// that can be.
func (c calendar) inWindow(t time.Time) bool {
	for _, w := range c.windows {
		if s := w.sched.Next(t.Add(-w.dur)); !s.IsZero() && !s.After(t) {
			return true
		}
	}
	return false
}

// holiday reports whether t falls on a holiday in the metric's zone.
func (c calendar) holiday(t time.Time) bool {
	y, m, d := t.In(c.loc).Date()
	return c.holidays[civilDate{y, m, d}]
}

// muted returns what mutes a bucket, from its start, or nil when nothing
// does.
func (c calendar) muted() func(time.Time) bool {
	if len(c.windows) == 0 && len(c.holidays) == 0 {
		return nil
	}
	return func(t time.Time) bool { return c.inWindow(t) || c.holiday(t) }
}

// exclusions returns what keeps a bucket out of baselines, or nil when
// nothing does.
func exclusions(e config.Exclude, c calendar, o options) func(time.Time) bool {
	var fs []func(time.Time) bool
	if e.Mutes && len(c.windows) > 0 {
		fs = append(fs, c.inWindow)
	}
	if e.Holidays && len(c.holidays) > 0 {
		fs = append(fs, c.holiday)
	}
	if e.Incidents && o.incidents != nil {
		fs = append(fs, o.incidents)
	}
	if e.Feedback && o.feedback != nil {
		fs = append(fs, o.feedback)
	}
	if len(fs) == 0 {
		return nil
	}
	return func(t time.Time) bool {
		for _, f := range fs {
			if f(t) {
				return true
			}
		}
		return false
	}
}
