package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones check the same on every machine, even without system tzdata

	"github.com/robfig/cron/v3"
)

// The values enumerated settings accept.
var (
	seasonalities = []string{SeasonalityDaily, SeasonalityWeekly, SeasonalityNone}
	aggregates    = []string{"mean", "median"}
	missings      = []string{"ignore", "alert"}
	sensitivities = []string{"low", "medium", "high"}
	directions    = []string{"up", "down", "both"}
	fills         = []string{"missing", "zero"}
	sourceTypes   = []string{"duckdb", "clickhouse"}
	notifierTypes = []string{"console", "slack", "webhook"}
	severities    = []string{"minor", "major", "critical"}
	chartModes    = []string{"native", "image", "none"}
)

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

const maxNameLen = 100

// checkName checks a metric, source or notifier name.
func checkName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	if len(name) > maxNameLen || !namePattern.MatchString(name) {
		return fmt.Errorf("invalid name %q; use at most %d lower-case letters, digits, _, . and -, starting with a letter or digit (e.g. orders_daily)", name, maxNameLen)
	}
	return nil
}

func checkEnum(what, got string, valid []string) error {
	if slices.Contains(valid, got) {
		return nil
	}
	return errors.New(oneOf(what, got, valid))
}

// scheduleRef is a fixed instant from which a schedule must fire at least
// once, so that a valid-looking "0 0 30 2 *" is caught.
var scheduleRef = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const scheduleHelp = `write 5 fields (minute hour day-of-month month day-of-week) such as "5 * * * *", or @hourly, @daily, @every 15m`

// checkSchedule parses a cron expression the way the engine will.
func checkSchedule(spec string) (err error) {
	if strings.TrimSpace(spec) == "" {
		return errors.New("empty schedule; " + scheduleHelp)
	}
	if (strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=")) && !strings.Contains(spec, " ") {
		return errors.New("CRON_TZ= must be followed by a space and the schedule, e.g. CRON_TZ=Europe/Berlin 0 9 * * *")
	}
	defer func() {
		if recover() != nil {
			err = errors.New("invalid cron expression; " + scheduleHelp)
		}
	}()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("invalid cron expression: %v; %s", err, scheduleHelp)
	}
	if s.Next(scheduleRef).IsZero() {
		return errors.New("schedule never fires; check the day and month fields")
	}
	return nil
}

// CronSpec returns the metric's schedule for cron.ParseStandard, to run in
// the metric's time zone: "CRON_TZ=Europe/Berlin 30 7 * * *". A schedule
// that names its own zone (CRON_TZ= or TZ=) is returned as it is.
func (m Metric) CronSpec() string {
	return zonedSpec(m.Schedule, m.Timezone)
}

// loadLocation loads an IANA time zone; "" is UTC.
func loadLocation(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	if tz == "Local" {
		return nil, errors.New("Local differs from machine to machine; name a zone such as UTC or Europe/Berlin")
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q; use an IANA name such as UTC, Europe/Berlin or America/New_York", tz)
	}
	return loc, nil
}

// checkGranularity accepts bucket widths that tile a day (5m, 15m, 1h, 6h)
// or are whole days, so that buckets align with midnight.
func checkGranularity(g time.Duration) error {
	switch {
	case g <= 0:
		return errors.New("must be positive, e.g. 1h")
	case g%time.Second != 0:
		return fmt.Errorf("must be whole seconds, got %s", FormatDuration(g))
	case g < Day && Day%g == 0, g%Day == 0:
		return nil
	}
	return fmt.Errorf("must divide one day evenly (e.g. 1m, 5m, 15m, 1h, 6h) or be a whole number of days, got %s", FormatDuration(g))
}

// positive checks that d is above zero; example shows a sensible value.
func positive(d time.Duration, example string) error {
	if d <= 0 {
		return errors.New("must be positive, e.g. " + example)
	}
	return nil
}

// checkTiming checks the scheduling settings sc holds on its own.
func checkTiming(sc *scope, schedule, timezone string, granularity time.Duration) {
	sc.check("schedule", checkSchedule(schedule))
	_, err := loadLocation(timezone)
	sc.check("timezone", err)
	sc.check("granularity", checkGranularity(granularity))
}

// refError describes a reference to an undefined source or notifier.
func refError(kind, name string, defined []string) error {
	if len(defined) == 0 {
		return fmt.Errorf("unknown %s %q: no %ss are defined", kind, name, kind)
	}
	msg := fmt.Sprintf("unknown %s %q", kind, name)
	if s := suggest(name, defined); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Errorf("%s (defined: %s)", msg, strings.Join(defined, ", "))
}
