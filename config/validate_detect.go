package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limits of detect settings, where the methods have them.
const (
	maxPeriods     = 1000 // change: past periods in one reference
	minSTLSeasons  = 2
	maxSTLSeasons  = 100
	maxConsecutive = 1000
	maxK           = 10
	maxH           = 1000
	holidayLayout  = "2006-01-02"
)

// Built-in values of detect settings that do not depend on the metric.
const (
	defaultAggregate   = "mean"
	defaultPeriods     = 1
	defaultSTLSeasons  = 6
	defaultK           = 0.5
	defaultMissing     = "ignore"
	defaultConsecutive = 1
)

// checkDetect checks each detect setting that sc holds on its own; how they
// fit the method and the metric's granularity is checked once defaults are
// applied (checkMethod).
func checkDetect(sc *scope, d Detect) {
	sc.check("detect.method", checkEnum("method", d.Method, Methods()))
	if d.Seasonality != SeasonalityDailyWeekly {
		sc.check("detect.seasonality", checkEnum("seasonality", d.Seasonality, seasonalities))
	}
	sc.check("detect.history", positive(d.History, "8w"))
	checkGuards(sc, d)
	checkMethodSettings(sc, d)
	checkMutes(sc, d.Mute)
	checkHolidays(sc, d.Holidays)
}

// checkGuards checks the settings every method shares.
func checkGuards(sc *scope, d Detect) {
	sc.check("detect.sensitivity", checkEnum("sensitivity", d.Sensitivity, sensitivities))
	if d.Threshold <= 0 {
		sc.check("detect.threshold", fmt.Errorf("must be above 0 (a robust z-score; medium sensitivity is 4), got %g", d.Threshold))
	}
	sc.check("detect.direction", checkEnum("direction", d.Direction, directions))
	sc.check("detect.min_delta", atLeast0(d.MinDelta))
	sc.check("detect.min_rel_delta", atLeast0(d.MinRelDelta))
	sc.check("detect.min_volume", atLeast0(d.MinVolume))
	sc.check("detect.missing", checkEnum("missing", d.Missing, missings))
	sc.check("detect.level_adjust", checkEnum("level_adjust", d.LevelAdjust, levelAdjusts))
	if d.Consecutive < 1 || d.Consecutive > maxConsecutive {
		sc.check("detect.consecutive", fmt.Errorf("must be between 1 (alert on the first breach) and %d, got %d", maxConsecutive, d.Consecutive))
	}
	if sc.has("detect.threshold") && sc.has("detect.sensitivity") {
		sc.errorf("detect.threshold", "give threshold or sensitivity, not both (threshold overrides sensitivity)")
	}
}

// checkMethodSettings checks the settings of single methods.
func checkMethodSettings(sc *scope, d Detect) {
	if d.Lower != nil && d.Upper != nil && *d.Lower > *d.Upper && sc.has("detect.lower") && sc.has("detect.upper") {
		sc.errorf("detect.lower", "lower bound %g is above upper bound %g", *d.Lower, *d.Upper)
	}
	if d.offsetBuckets == 0 {
		sc.check("detect.offset", positive(d.Offset, "1d, 1w or a number of buckets such as 24"))
	}
	if d.Periods < 1 || d.Periods > maxPeriods {
		sc.check("detect.periods", fmt.Errorf("must be between 1 and %d, got %d", maxPeriods, d.Periods))
	}
	sc.check("detect.aggregate", checkEnum("aggregate", d.Aggregate, aggregates))
	if d.Max <= 0 {
		sc.check("detect.max", fmt.Errorf(`must be above 0, e.g. 50 (in the metric's units) or "20%%" (relative), got %g`, d.Max))
	}
	if d.maxPercent && !d.Relative && sc.has("detect.relative") && sc.has("detect.max") {
		sc.errorf("detect.relative", "is false but max is a percentage; remove relative: false, or give max in the metric's units")
	}
	sc.check("detect.period", positive(d.Period, "1d"))
	if d.Seasons < minSTLSeasons || d.Seasons > maxSTLSeasons {
		sc.check("detect.seasons", fmt.Errorf("must be between %d and %d, got %d", minSTLSeasons, maxSTLSeasons, d.Seasons))
	}
	for _, p := range []struct {
		key string
		v   float64
	}{{"alpha", d.Alpha}, {"beta", d.Beta}, {"gamma", d.Gamma}} {
		if !(p.v > 0 && p.v < 1) {
			sc.check("detect."+p.key, fmt.Errorf("must be between 0 and 1 (exclusive), got %g; remove it to fit it from the data", p.v))
		}
	}
	sc.check("detect.window", positive(d.Window, "1w"))
	if !(d.K > 0 && d.K <= maxK) {
		sc.check("detect.k", fmt.Errorf("must be above 0 and at most %d standard deviations, got %g", maxK, d.K))
	}
	if !(d.H > 0 && d.H <= maxH) {
		sc.check("detect.h", fmt.Errorf("must be above 0 and at most %d standard deviations, got %g; remove it to derive it from the sensitivity", maxH, d.H))
	}
	if d.MaxAge < 0 {
		sc.check("detect.max_age", errors.New("must not be negative"))
	}
}

func atLeast0(x float64) error {
	if x < 0 {
		return fmt.Errorf("must be 0 or more, got %g", x)
	}
	return nil
}

// checkMutes checks each mute window: a calendar schedule and a positive
// duration.
func checkMutes(sc *scope, mutes []Mute) {
	for i, m := range mutes {
		k := fmt.Sprintf("detect.mute[%d]", i)
		if sc.bad[k] {
			continue
		}
		switch {
		case sc.bad[k+".schedule"]:
		case !sc.has(k + ".schedule"):
			sc.errorNear(k+".schedule", k, `missing; say when the window opens, e.g. schedule: "0 2 * * *" (02:00 every day)`)
		default:
			sc.check(k+".schedule", checkMuteSchedule(m.Schedule))
		}
		switch {
		case sc.bad[k+".duration"]:
		case !sc.has(k + ".duration"):
			sc.errorNear(k+".duration", k, "missing; say how long the window stays open, e.g. duration: 1h")
		default:
			sc.check(k+".duration", positive(m.Duration, "1h"))
		}
	}
}

// checkMuteSchedule accepts cron expressions that fire at calendar times;
// @every has no fixed start, so it cannot open a window.
func checkMuteSchedule(spec string) error {
	rest := strings.TrimSpace(spec)
	if strings.HasPrefix(rest, "CRON_TZ=") || strings.HasPrefix(rest, "TZ=") {
		_, rest, _ = strings.Cut(rest, " ")
	}
	if strings.HasPrefix(strings.TrimSpace(rest), "@every") {
		return errors.New("@every has no fixed start; give the times the window opens, e.g. \"0 2 * * *\" or @daily")
	}
	return checkSchedule(spec)
}

// checkHolidays checks that each holiday is a date written YYYY-MM-DD, once.
func checkHolidays(sc *scope, days []string) {
	for i, day := range days {
		k := fmt.Sprintf("detect.holidays[%d]", i)
		if !sc.has(k) {
			continue
		}
		t, err := time.Parse(holidayLayout, day)
		switch {
		case err != nil || t.Format(holidayLayout) != day:
			sc.errorf(k, "want a date written YYYY-MM-DD, such as 2026-12-25, got %q", day)
		case slices.Contains(days[:i], day):
			sc.errorf(k, "lists %s twice", day)
		}
	}
}

// errorNear reports a problem with key at key's value, or at the first of
// near that was given, or at the start of the entity.
func (s *scope) errorNear(key string, near string, format string, args ...any) {
	if _, ok := s.at[key]; !ok {
		if pos, ok := s.at[near]; ok {
			s.bad[key] = true
			s.add(pos, key, fmt.Sprintf(format, args...))
			return
		}
	}
	s.errorf(key, format, args...)
}

// fillDetectDefaults sets the built-in value of each setting that does not
// depend on the metric and that sc does not hold.
func fillDetectDefaults(sc *scope, d *Detect) {
	fillStr := func(key string, dst *string, v string) {
		if !sc.has("detect." + key) {
			*dst = v
		}
	}
	fillStr("method", &d.Method, MethodSeasonal)
	fillStr("sensitivity", &d.Sensitivity, defaultSensitivity)
	fillStr("direction", &d.Direction, defaultDirection)
	fillStr("aggregate", &d.Aggregate, defaultAggregate)
	fillStr("missing", &d.Missing, defaultMissing)
	fillStr("level_adjust", &d.LevelAdjust, LevelAuto)
	fillInt := func(key string, dst *int, v int) {
		if !sc.has("detect." + key) {
			*dst = v
		}
	}
	fillInt("periods", &d.Periods, defaultPeriods)
	fillInt("seasons", &d.Seasons, defaultSTLSeasons)
	fillInt("consecutive", &d.Consecutive, defaultConsecutive)
	if !sc.has("detect.k") {
		d.K = defaultK
	}
	fillTrue := func(key string, dst *bool) {
		if !sc.has("detect." + key) {
			*dst = true
		}
	}
	fillTrue("robust", &d.Robust)
	fillTrue("exclude.incidents", &d.Exclude.Incidents)
	fillTrue("exclude.feedback", &d.Exclude.Feedback)
	fillTrue("exclude.mutes", &d.Exclude.Mutes)
	fillTrue("exclude.holidays", &d.Exclude.Holidays)
}
