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

// Detection methods. To add one, add a constant, an entry in methods and
// its checks in checkMethod.
const (
	MethodSeasonal = "seasonal" // median and MAD of the same slot over past seasons
)

// methodInfo says which detect settings a method reads.
type methodInfo struct {
	seasonal bool // uses seasonality and a history of whole seasons
}

var methods = map[string]methodInfo{
	MethodSeasonal: {seasonal: true},
}

// Methods returns the known detection methods, sorted.
func Methods() []string {
	out := make([]string, 0, len(methods))
	for m := range methods {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// The values enumerated settings accept.
var (
	seasonalities = []string{"daily", "weekly", "none"}
	sensitivities = []string{"low", "medium", "high"}
	directions    = []string{"up", "down", "both"}
	fills         = []string{"missing", "zero"}
	sourceTypes   = []string{"duckdb", "clickhouse"}
	notifierTypes = []string{"console", "slack", "webhook"}
)

// Season returns the length of one season for the seasonality at the given
// granularity: a day, a week, or one bucket for "none".
func Season(seasonality string, granularity time.Duration) time.Duration {
	switch seasonality {
	case "daily":
		return Day
	case "weekly":
		return Week
	}
	return granularity
}

// defaultSeasonality is weekly when a week is a whole number of buckets
// longer than one (sub-day granularities and 1d), since business metrics
// mostly repeat by weekday and hour; otherwise none.
func defaultSeasonality(g time.Duration) string {
	if g > 0 && g < Week && Week%g == 0 {
		return "weekly"
	}
	return "none"
}

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
	s := strings.TrimSpace(m.Schedule)
	if m.Timezone == "" || strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		return s
	}
	return "CRON_TZ=" + m.Timezone + " " + s
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

// checkDetect checks each detect setting that sc holds on its own; how they
// fit with the metric's granularity is checked once defaults are applied.
func checkDetect(sc *scope, d Detect) {
	sc.check("detect.method", checkEnum("method", d.Method, Methods()))
	sc.check("detect.seasonality", checkEnum("seasonality", d.Seasonality, seasonalities))
	sc.check("detect.history", positive(d.History, "8w"))
	sc.check("detect.sensitivity", checkEnum("sensitivity", d.Sensitivity, sensitivities))
	if d.Threshold <= 0 {
		sc.check("detect.threshold", fmt.Errorf("must be above 0 (a robust z-score; medium sensitivity is 4), got %g", d.Threshold))
	}
	sc.check("detect.direction", checkEnum("direction", d.Direction, directions))
	if d.MinDelta < 0 {
		sc.check("detect.min_delta", fmt.Errorf("must be 0 or more, got %g", d.MinDelta))
	}
	if d.MinVolume < 0 {
		sc.check("detect.min_volume", fmt.Errorf("must be 0 or more, got %g", d.MinVolume))
	}
	if sc.has("detect.threshold") && sc.has("detect.sensitivity") {
		sc.errorf("detect.threshold", "give threshold or sensitivity, not both (threshold overrides sensitivity)")
	}
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
