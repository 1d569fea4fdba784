package config

import (
	"slices"
	"strings"
	"time"
)

// Detection methods, the values of detect.method.
const (
	MethodSeasonal    = "seasonal"     // median and MAD of the same slot over past seasons
	MethodThreshold   = "threshold"    // fixed lower and upper bounds
	MethodChange      = "change"       // compared with the same bucket in past periods
	MethodSTL         = "stl"          // robust seasonal-trend decomposition
	MethodHoltWinters = "holt_winters" // exponential smoothing with prediction intervals
	MethodCUSUM       = "cusum"        // level shifts and slow drifts
	MethodFreshness   = "freshness"    // late or missing data
	MethodAuto        = "auto"         // method and seasonality chosen from the data
)

// Seasonalities, the values of detect.seasonality. SeasonalityDailyWeekly is
// written as the list [daily, weekly].
const (
	SeasonalityNone        = "none"
	SeasonalityDaily       = "daily"
	SeasonalityWeekly      = "weekly"
	SeasonalityDailyWeekly = "daily+weekly"
)

// The values of level_adjust, how seasonal moves past seasons onto the
// metric's current level. true is read as ratio and false as none.
const (
	LevelAuto       = "auto"       // ratios where the data is positive and hourly or finer
	LevelNone       = "none"       // past seasons as they were
	LevelRatio      = "ratio"      // scaled by the growth ratio
	LevelDifference = "difference" // shifted by the growth difference
)

var levelAdjusts = []string{LevelAuto, LevelNone, LevelRatio, LevelDifference}

// Detect holds the detection settings of a metric: the method, the settings
// of that method, and the guards every method shares. Settings of other
// methods may be set (inherited from defaults) and are then unused. A loaded
// metric's Detect has every default of its method filled in.
type Detect struct {
	Method string // one of Methods()

	// Seasonality is "daily", "weekly" or "none"; for seasonal also
	// "daily+weekly", a weekly baseline corrected by the last days. Read by
	// seasonal, stl, holt_winters and cusum; see Season.
	Seasonality string
	History     time.Duration // seasonal and auto: how far back the baseline looks, e.g. 8w
	LevelAdjust string        // seasonal: one of auto, none, ratio, difference

	Lower, Upper *float64 // threshold: bounds; nil when not set

	Offset    time.Duration // change: how far back the reference lies, a whole number of buckets
	Periods   int           // change: past periods the reference takes
	Aggregate string        // change: "mean" or "median" of the past periods
	Relative  bool          // change: Max is a fraction of the reference
	Max       float64       // change: largest allowed change

	Period  time.Duration // stl: season length instead of Seasonality (which is then "")
	Seasons int           // stl: seasons of history per decomposition
	Robust  bool          // stl: down-weight outliers while fitting

	Multiplicative     bool    // holt_winters: seasonal swing proportional to the level
	Alpha, Beta, Gamma float64 // holt_winters: smoothing of level, trend and season; 0 means fitted

	Window time.Duration // cusum: baseline length; freshness: span giving the typical value
	K      float64       // cusum: allowance in standard deviations
	H      float64       // cusum: decision interval in standard deviations; 0 means from the sensitivity

	MaxAge time.Duration // freshness: the longest run of missing buckets that passes silently

	// Guards every method shares.
	Sensitivity string   // "low", "medium" or "high"
	Threshold   float64  // explicit robust z threshold; overrides Sensitivity when > 0
	Direction   string   // "up", "down" or "both"
	MinDelta    float64  // minimum absolute change
	MinRelDelta float64  // minimum change as a fraction of the expected value (0.05 for 5%)
	MinVolume   float64  // minimum volume (the value, or a ratio's denominator)
	Consecutive int      // breaches in a row before a point alerts; 1 alerts on the first
	Mute        []Mute   // recurring windows in which nothing alerts
	Holidays    []string // whole local days, "2026-12-25", on which nothing alerts
	Missing     string   // "ignore" or "alert": what a missing bucket is
	Exclude     Exclude  // what is kept out of baselines

	offsetBuckets int  // change: offset written as a bucket count; Offset is set per metric
	maxPercent    bool // change: max written as a percentage, which makes it relative
}

// Mute is a recurring window in which a metric does not alert: it opens at
// each time Schedule fires and stays open for Duration.
type Mute struct {
	Schedule string // cron expression: five fields or @daily, @weekly, ...; may start with CRON_TZ=
	Duration time.Duration
}

// CronSpec returns the window's schedule for cron.ParseStandard, to run in
// timezone unless it names its own zone.
func (m Mute) CronSpec(timezone string) string {
	return zonedSpec(m.Schedule, timezone)
}

// Exclude says which past buckets are kept out of baselines, so that an
// earlier incident or a holiday does not become the new normal. All are true
// unless set otherwise.
type Exclude struct {
	Incidents bool // buckets of past incidents
	Feedback  bool // buckets analysts confirmed as anomalies
	Mutes     bool // buckets inside mute windows
	Holidays  bool // buckets on holidays
}

// methods are the known detection methods. To add one, add a constant, an
// entry here, its keys in methodKeys and its checks in checkMethod.
var methods = map[string]bool{
	MethodSeasonal: true, MethodThreshold: true, MethodChange: true, MethodSTL: true,
	MethodHoltWinters: true, MethodCUSUM: true, MethodFreshness: true, MethodAuto: true,
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

// withSensitivity are the methods whose band comes from a z threshold.
var withSensitivity = []string{MethodSeasonal, MethodSTL, MethodHoltWinters, MethodCUSUM, MethodAuto}

// allBut returns every method except those given, in Methods order.
func allBut(except ...string) []string {
	var out []string
	for _, m := range Methods() {
		if !slices.Contains(except, m) {
			out = append(out, m)
		}
	}
	return out
}

// methodKeys lists, for each detect key that only some methods read, the
// methods that read it. Keys not listed apply to every method.
var methodKeys = map[string][]string{
	"seasonality":    {MethodSeasonal, MethodSTL, MethodHoltWinters, MethodCUSUM},
	"history":        {MethodSeasonal, MethodAuto},
	"level_adjust":   {MethodSeasonal},
	"lower":          {MethodThreshold},
	"upper":          {MethodThreshold},
	"offset":         {MethodChange},
	"periods":        {MethodChange},
	"aggregate":      {MethodChange},
	"relative":       {MethodChange},
	"max":            {MethodChange},
	"period":         {MethodSTL},
	"seasons":        {MethodSTL},
	"robust":         {MethodSTL},
	"multiplicative": {MethodHoltWinters},
	"alpha":          {MethodHoltWinters},
	"beta":           {MethodHoltWinters},
	"gamma":          {MethodHoltWinters},
	"window":         {MethodCUSUM, MethodFreshness},
	"k":              {MethodCUSUM},
	"h":              {MethodCUSUM},
	"max_age":        {MethodFreshness},
	"sensitivity":    withSensitivity,
	"threshold":      withSensitivity,
	"min_delta":      allBut(MethodFreshness),
	"min_rel_delta":  allBut(MethodFreshness),
	"missing":        allBut(MethodFreshness),
	"exclude":        allBut(MethodThreshold),
}

// why explains, for keys that every method might be expected to read, why
// a method does not.
var why = map[string]string{
	MethodThreshold + " sensitivity":   "the bounds set the band",
	MethodThreshold + " threshold":     "the bounds set the band",
	MethodChange + " sensitivity":      "max sets the band",
	MethodChange + " threshold":        "max sets the band",
	MethodFreshness + " sensitivity":   "it judges presence, not size",
	MethodFreshness + " threshold":     "it judges presence, not size",
	MethodFreshness + " min_delta":     "it judges presence, not size",
	MethodFreshness + " min_rel_delta": "it judges presence, not size",
	MethodFreshness + " missing":       "it alerts on missing data itself",
	MethodThreshold + " exclude":       "it has no baseline",
}

// Season returns the length of one season for the seasonality at the given
// granularity: a day, a week (also for "daily+weekly"), or one bucket for
// "none".
func Season(seasonality string, granularity time.Duration) time.Duration {
	switch seasonality {
	case SeasonalityDaily:
		return Day
	case SeasonalityWeekly, SeasonalityDailyWeekly:
		return Week
	}
	return granularity
}

// zonedSpec returns a cron spec that runs in timezone unless it names its
// own zone (CRON_TZ= or TZ=).
func zonedSpec(spec, timezone string) string {
	s := strings.TrimSpace(spec)
	if timezone == "" || strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		return s
	}
	return "CRON_TZ=" + timezone + " " + s
}
