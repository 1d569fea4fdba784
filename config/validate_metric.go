package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// metricChecker validates metrics against the config they belong to and
// applies defaults.
type metricChecker struct {
	cfg      *Config
	defaults *rawDefaults
	names    map[string]Pos // where each metric name was first defined
}

func newMetricChecker(cfg *Config, defaults *rawDefaults) *metricChecker {
	return &metricChecker{cfg: cfg, defaults: defaults, names: map[string]Pos{}}
}

// check validates m and returns it with defaults applied.
func (c *metricChecker) check(m *rawMetric) Metric {
	c.checkName(m)
	checkQuery(m)
	checkTiming(m.sc, m.Schedule, m.Timezone, m.Granularity)
	checkDetect(m.sc, m.Detect)
	c.inherit(m)
	inheritAlerting(m, c.cfg.Defaults.Alerting)
	checkCompleteness(m)
	checkExplain(m)
	checkMethod(m)
	c.resolveSource(m)
	c.resolveNotify(m)
	c.checkSlackChannel(m)
	m.sc.check("fill", checkEnum("fill", m.fill, fills))
	m.FillZero = m.fill == "zero"
	checkDimensions(m)
	loc, err := loadLocation(m.Timezone)
	if err != nil {
		loc = time.UTC // reported above, or in defaults
	}
	m.Location = loc
	return m.Metric
}

func (c *metricChecker) checkName(m *rawMetric) {
	sc := m.sc
	switch {
	case sc.bad["name"]:
		return
	case !sc.has("name"):
		sc.errorf("name", "missing; every metric needs a unique name, e.g. name: orders")
		return
	}
	if err := checkName(m.Name); err != nil {
		sc.errorf("name", "%v", err)
		return
	}
	if first, dup := c.names[m.Name]; dup {
		sc.errorf("name", "duplicate metric name; also defined at %s", first)
		return
	}
	c.names[m.Name] = sc.at["name"]
}

// checkQuery checks that the metric says what to measure in exactly one
// way: value, numerator with denominator, or sql.
func checkQuery(m *rawMetric) {
	sc := m.sc
	_, value := sc.at["value"]
	_, num := sc.at["numerator"]
	_, den := sc.at["denominator"]
	_, sql := sc.at["sql"]
	ratio := num || den
	switch {
	case !value && !ratio && !sql:
		sc.errorf("value", "missing; say what to measure with value (e.g. count()), numerator and denominator, or sql")
		return
	case sql && (value || ratio):
		sc.errorf("sql", "give either sql or the structured form (table, timestamp, value or numerator/denominator), not both")
		return
	case value && ratio:
		sc.errorf(first(sc, "numerator", "denominator"), "give value or numerator and denominator, not both")
		return
	case num && !den:
		sc.errorf("denominator", "missing; a ratio needs numerator and denominator")
	case den && !num:
		sc.errorf("numerator", "missing; a ratio needs numerator and denominator")
	}
	if sql {
		for _, k := range []string{"table", "timestamp", "filter", "dimensions"} {
			if _, ok := sc.at[k]; ok {
				sc.errorf(k, "has no effect with sql; write it into the query, or use the structured form (breakdowns by dimensions need it)")
			}
		}
		notEmpty(sc, "sql", m.SQL)
		checkPlaceholders(sc, m.SQL)
		return
	}
	for _, k := range []string{"table", "timestamp"} {
		if _, ok := sc.at[k]; !ok {
			sc.errorf(k, "missing; the structured form needs table and timestamp (or write sql)")
		}
	}
	notEmpty(sc, "table", m.Table)
	notEmpty(sc, "timestamp", m.Timestamp)
	notEmpty(sc, "value", m.Value)
	notEmpty(sc, "numerator", m.Numerator)
	notEmpty(sc, "denominator", m.Denominator)
}

func first(sc *scope, keys ...string) string {
	for _, k := range keys {
		if _, ok := sc.at[k]; ok {
			return k
		}
	}
	return keys[0]
}

func notEmpty(sc *scope, key, v string) {
	if sc.has(key) && strings.TrimSpace(v) == "" {
		sc.errorf(key, "empty")
	}
}

var placeholderRE = regexp.MustCompile(`\{\{[^{}]*\}\}`)

var placeholders = []string{"{{from}}", "{{to}}", "{{bucket_seconds}}"}

// checkPlaceholders checks that sql names {{from}} and {{to}} and no
// placeholder vigil does not fill.
func checkPlaceholders(sc *scope, sql string) {
	if !sc.has("sql") || strings.TrimSpace(sql) == "" {
		return
	}
	for _, p := range placeholderRE.FindAllString(sql, -1) {
		if !slices.Contains(placeholders, p) {
			sc.errorf("sql", "%s", oneOf("placeholder", p, placeholders))
			return
		}
	}
	var missing []string
	for _, p := range placeholders[:2] {
		if !strings.Contains(sql, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		sc.errorf("sql", "must contain %s: vigil fills in the time range of the buckets it needs, e.g. WHERE ts >= {{from}} AND ts < {{to}}",
			strings.Join(missing, " and "))
	}
}

func checkDimensions(m *rawMetric) {
	for i, d := range m.Dimensions {
		key := fmt.Sprintf("dimensions[%d]", i)
		switch {
		case strings.TrimSpace(d) == "":
			m.sc.errorf(key, "empty dimension")
		case slices.Contains(m.Dimensions[:i], d):
			m.sc.errorf(key, "lists %q twice", d)
		}
	}
}

// resolveSource fills the metric's source from defaults, or with the only
// source when there is just one, and checks that it exists.
func (c *metricChecker) resolveSource(m *rawMetric) {
	sc := m.sc
	defined := sortedKeys(c.cfg.Sources)
	switch {
	case sc.bad["source"] || len(defined) == 0:
		return // reported already, or no sources at all (reported once for the file)
	case sc.has("source"):
	case c.defaults.sc.has("source"):
		m.Source = c.cfg.Defaults.Source
		return // checked with the defaults
	case len(defined) == 1:
		m.Source = defined[0]
		return
	default:
		sc.errorf("source", "missing; set source here or defaults.source (defined: %s)", strings.Join(defined, ", "))
		return
	}
	if !hasKey(c.cfg.Sources, m.Source) {
		sc.errorf("source", "%v", refError("source", m.Source, defined))
	}
}

// resolveNotify fills the metric's notifiers from defaults, or with the
// only notifier when there is just one, and checks them.
func (c *metricChecker) resolveNotify(m *rawMetric) {
	sc := m.sc
	defined := sortedKeys(c.cfg.Notifiers)
	switch {
	case sc.bad["notify"]:
	case sc.has("notify"):
		checkNotify(sc, m.Notify, c.cfg)
	case c.defaults.sc.has("notify"):
		m.Notify = slices.Clone(c.cfg.Defaults.Notify)
	case len(defined) == 1:
		m.Notify = defined
	case len(defined) > 1:
		sc.errorf("notify", "missing; list notifiers here or in defaults.notify (defined: %s)", strings.Join(defined, ", "))
	}
}

// inherit fills what the metric leaves unset from defaults:, then from the
// built-in defaults, noting where each value came from for messages.
func (c *metricChecker) inherit(m *rawMetric) {
	d := c.cfg.Defaults
	from := func(key string) bool {
		if m.sc.has(key) {
			return false
		}
		if c.defaults.sc.has(key) {
			m.origin[key] = "defaults." + key
		} else {
			m.origin[key] = "default"
		}
		return true
	}
	if from("schedule") {
		m.Schedule = d.Schedule
	}
	if from("timezone") {
		m.Timezone = d.Timezone
	}
	if from("granularity") {
		m.Granularity = d.Granularity
	}
	if from("delay") {
		m.Delay = d.Delay
	}
	c.inheritDetect(m, from)
}

func (c *metricChecker) inheritDetect(m *rawMetric, from func(string) bool) {
	md, d := &m.Detect, c.cfg.Defaults.Detect
	// A sensitivity set on the metric beats a threshold from defaults.
	if from("detect.threshold") && !m.sc.has("detect.sensitivity") {
		md.Threshold = d.Threshold
	}
	inherit := func(key string, set func()) {
		if from("detect." + key) {
			set()
		}
	}
	inherit("method", func() { md.Method = d.Method })
	inherit("seasonality", func() { md.Seasonality = d.Seasonality })
	inherit("history", func() { md.History = d.History })
	inherit("level_adjust", func() { md.LevelAdjust = d.LevelAdjust })
	inherit("lower", func() { md.Lower = d.Lower })
	inherit("upper", func() { md.Upper = d.Upper })
	inherit("offset", func() { md.Offset, md.offsetBuckets = d.Offset, d.offsetBuckets })
	inherit("periods", func() { md.Periods = d.Periods })
	inherit("aggregate", func() { md.Aggregate = d.Aggregate })
	inherit("relative", func() { md.Relative = d.Relative })
	inherit("max", func() { md.Max, md.maxPercent = d.Max, d.maxPercent })
	inherit("period", func() { md.Period = d.Period })
	inherit("seasons", func() { md.Seasons = d.Seasons })
	inherit("robust", func() { md.Robust = d.Robust })
	inherit("multiplicative", func() { md.Multiplicative = d.Multiplicative })
	inherit("alpha", func() { md.Alpha = d.Alpha })
	inherit("beta", func() { md.Beta = d.Beta })
	inherit("gamma", func() { md.Gamma = d.Gamma })
	inherit("window", func() { md.Window = d.Window })
	inherit("k", func() { md.K = d.K })
	inherit("h", func() { md.H = d.H })
	inherit("max_age", func() { md.MaxAge = d.MaxAge })
	c.inheritGuards(m, from)
}

// inheritGuards fills the guards every method shares.
func (c *metricChecker) inheritGuards(m *rawMetric, from func(string) bool) {
	md, d := &m.Detect, c.cfg.Defaults.Detect
	inherit := func(key string, set func()) {
		if from("detect." + key) {
			set()
		}
	}
	inherit("sensitivity", func() { md.Sensitivity = d.Sensitivity })
	inherit("direction", func() { md.Direction = d.Direction })
	inherit("min_delta", func() { md.MinDelta = d.MinDelta })
	inherit("min_rel_delta", func() { md.MinRelDelta = d.MinRelDelta })
	inherit("min_volume", func() { md.MinVolume = d.MinVolume })
	inherit("consecutive", func() { md.Consecutive = d.Consecutive })
	inherit("mute", func() { md.Mute = slices.Clone(d.Mute) })
	inherit("holidays", func() { md.Holidays = slices.Clone(d.Holidays) })
	inherit("missing", func() { md.Missing = d.Missing })
	inherit("exclude.incidents", func() { md.Exclude.Incidents = d.Exclude.Incidents })
	inherit("exclude.feedback", func() { md.Exclude.Feedback = d.Exclude.Feedback })
	inherit("exclude.mutes", func() { md.Exclude.Mutes = d.Exclude.Mutes })
	inherit("exclude.holidays", func() { md.Exclude.Holidays = d.Exclude.Holidays })
}

// via says where an inherited value came from, for messages.
func (m *rawMetric) via(key string) string {
	switch o := m.origin[key]; o {
	case "":
		return ""
	case "default":
		return " (the built-in default)"
	default:
		return " (from " + o + ")"
	}
}
