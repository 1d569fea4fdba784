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
	checkSeasons(m)
	c.resolveSource(m)
	c.resolveNotify(m)
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
	if from("detect.method") {
		md.Method = d.Method
	}
	if from("detect.sensitivity") {
		md.Sensitivity = d.Sensitivity
	}
	// A sensitivity set on the metric beats a threshold from defaults.
	if from("detect.threshold") && !m.sc.has("detect.sensitivity") {
		md.Threshold = d.Threshold
	}
	if from("detect.direction") {
		md.Direction = d.Direction
	}
	if from("detect.min_delta") {
		md.MinDelta = d.MinDelta
	}
	if from("detect.min_volume") {
		md.MinVolume = d.MinVolume
	}
	if from("detect.seasonality") {
		md.Seasonality = d.Seasonality
		if md.Seasonality == "" {
			md.Seasonality = defaultSeasonality(m.Granularity)
		}
	}
	if from("detect.history") {
		md.History = d.History
		if md.History == 0 {
			md.History = defaultHistorySeasons * Season(md.Seasonality, m.Granularity)
		}
	}
}

// checkSeasons checks the detect settings against the granularity, once
// defaults are applied: a season must be a whole number of buckets and the
// history must cover at least two seasons in whole buckets.
func checkSeasons(m *rawMetric) {
	sc, d, g := m.sc, m.Detect, m.Granularity
	info, ok := methods[d.Method]
	if !ok || !info.seasonal || sc.bad["granularity"] || sc.bad["detect.seasonality"] || checkGranularity(g) != nil {
		return
	}
	season := Season(d.Seasonality, g)
	if season%g != 0 {
		key := "detect.seasonality"
		if m.origin[key] != "" && m.origin["granularity"] == "" {
			key = "granularity"
		}
		sc.errorf(key, "%s seasonality needs a granularity that divides %s, got granularity %s%s; use a finer granularity or seasonality: none",
			d.Seasonality, FormatDuration(season), FormatDuration(g), m.via("granularity"))
		return
	}
	if sc.bad["detect.history"] {
		return
	}
	switch {
	case d.History < 2*season:
		sc.errorf("detect.history", "need at least 2 seasons (%s for %s seasonality), got %s%s",
			FormatDuration(2*season), d.Seasonality, FormatDuration(d.History), m.via("detect.history"))
	case d.History%g != 0:
		sc.errorf("detect.history", "must be a whole number of %s buckets (the granularity), got %s%s",
			FormatDuration(g), FormatDuration(d.History), m.via("detect.history"))
	}
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
