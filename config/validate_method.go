package config

import (
	"slices"
	"strings"
	"time"
)

// Limits and built-in values of detect settings that depend on the method
// and the granularity.
const (
	defaultHistorySeasons = 8
	minSeasonalSeasons    = 3  // the seasonal method's median needs three seasons to ignore one
	maxSeasonalSeasons    = 64 // and keeps at most 64 per slot
	defaultCUSUMSeasons   = 4
	defaultWindowBuckets  = 168 // cusum without a season, freshness: a week of hours
	minCUSUMWindow        = 10
)

// checkMethod checks the detect settings against the method and the
// granularity once defaults are applied, and fills in the defaults that
// depend on them.
func checkMethod(m *rawMetric) {
	d := &m.Detect
	if !methods[d.Method] {
		return // reported with the method
	}
	checkApplies(m)
	if m.sc.bad["granularity"] || checkGranularity(m.Granularity) != nil {
		return // reported with the granularity
	}
	switch d.Method {
	case MethodSeasonal:
		checkSeasonal(m)
	case MethodThreshold:
		if d.Lower == nil && d.Upper == nil {
			m.sc.errorNear("detect.lower", "detect.method", "missing; method threshold needs lower, upper or both, e.g. lower: 100")
		}
	case MethodChange:
		checkChange(m)
	case MethodSTL:
		checkSTL(m)
	case MethodHoltWinters:
		if season, ok := seasonFor(m, false); ok && season == 0 && m.given("detect.gamma") {
			m.sc.errorf("detect.gamma", "smooths the season, but seasonality is none; remove gamma or set seasonality: daily or weekly")
		}
	case MethodCUSUM:
		checkCUSUM(m)
	case MethodFreshness:
		checkFreshness(m)
	case MethodAuto:
		if d.History == 0 {
			d.History = defaultHistorySeasons * Season(defaultSeasonality(m.Granularity), m.Granularity)
		}
		m.wholeBuckets("detect.history", d.History)
	}
}

// given reports whether the metric itself set key, with a usable value.
func (m *rawMetric) given(key string) bool { return m.sc.has(key) }

// checkApplies reports detect keys the metric sets that its method does not
// read, saying which methods read them.
func checkApplies(m *rawMetric) {
	method := m.Detect.Method
	keys := make([]string, 0, len(methodKeys))
	for k := range methodKeys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		readers := methodKeys[key]
		k := "detect." + key
		if _, set := m.sc.at[k]; !set || m.sc.bad[k] || slices.Contains(readers, method) {
			continue
		}
		reason := ""
		if w := why[method+" "+key]; w != "" {
			reason = " (" + w + ")"
		}
		noun := "method"
		if len(readers) > 1 {
			noun = "methods"
		}
		m.sc.errorf(k, "does not apply to method %s%s%s; %s is read by %s %s only; remove it or change the method",
			method, m.via("detect.method"), reason, key, noun, andList(readers))
	}
}

// andList writes "a", "a and b" or "a, b and c".
func andList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// wholeBuckets reports d unless it is a whole number of buckets.
func (m *rawMetric) wholeBuckets(key string, d time.Duration) bool {
	g := m.Granularity
	if m.sc.bad[key] || d%g == 0 {
		return !m.sc.bad[key]
	}
	m.sc.errorf(key, "must be a whole number of %s buckets (the granularity), got %s%s", FormatDuration(g), FormatDuration(d), m.via(key))
	return false
}

// seasonKey is the key to blame for a seasonality that does not fit the
// granularity: the seasonality, unless it was inherited and the granularity
// was set on the metric.
func (m *rawMetric) seasonKey() string {
	if m.origin["detect.seasonality"] != "" && m.origin["granularity"] == "" {
		return "granularity"
	}
	return "detect.seasonality"
}

// seasonFor fills in the default seasonality and returns the season's
// length for stl, holt_winters and cusum: 0 for none, else a whole number of
// buckets, at least two. withPeriod lets detect.period stand for the season.
func seasonFor(m *rawMetric, withPeriod bool) (time.Duration, bool) {
	d, g := &m.Detect, m.Granularity
	if withPeriod && d.Period > 0 {
		d.Seasonality = ""
		if !m.wholeBuckets("detect.period", d.Period) {
			return 0, false
		}
		if d.Period < 2*g {
			m.sc.errorf("detect.period", "must be at least 2 buckets (%s), got %s", FormatDuration(2*g), FormatDuration(d.Period))
			return 0, false
		}
		return d.Period, true
	}
	if m.sc.bad["detect.seasonality"] {
		return 0, false
	}
	if d.Seasonality == "" {
		d.Seasonality = defaultSeasonality(g)
	}
	switch d.Seasonality {
	case SeasonalityNone:
		return 0, true
	case SeasonalityDailyWeekly:
		m.sc.errorf("detect.seasonality", "[daily, weekly] is for method seasonal; method %s takes one season: daily or weekly", d.Method)
		return 0, false
	}
	season := Season(d.Seasonality, g)
	switch {
	case season%g != 0:
		m.sc.errorf(m.seasonKey(), "%s seasonality needs a granularity that divides %s, got granularity %s%s; use a finer granularity or seasonality: none",
			d.Seasonality, FormatDuration(season), FormatDuration(g), m.via("granularity"))
		return 0, false
	case season < 2*g:
		m.sc.errorf(m.seasonKey(), "%s seasonality is a single %s bucket, which is no season; use seasonality: weekly or none",
			d.Seasonality, FormatDuration(g))
		return 0, false
	}
	return season, true
}

// checkSeasonal checks the seasonal method: its season is a day or a week
// of whole buckets, and its history 3 to 64 whole seasons.
func checkSeasonal(m *rawMetric) {
	d, g := &m.Detect, m.Granularity
	if m.sc.bad["detect.seasonality"] {
		return
	}
	if d.Seasonality == "" {
		d.Seasonality = defaultSeasonality(g)
	}
	season := Season(d.Seasonality, g)
	switch {
	case d.Seasonality == SeasonalityNone && season != Day && season != Week:
		m.sc.errorf(m.seasonKey(), "seasonality none%s with method seasonal compares each bucket with the same bucket on past days or weeks, so it needs granularity 1d or 1w, got %s%s; use seasonality: daily or weekly, or method: change, cusum or holt_winters",
			m.via("detect.seasonality"), FormatDuration(g), m.via("granularity"))
		return
	case season%g != 0:
		m.sc.errorf(m.seasonKey(), "%s seasonality needs a granularity that divides %s, got granularity %s%s; use a finer granularity or seasonality: none",
			d.Seasonality, FormatDuration(season), FormatDuration(g), m.via("granularity"))
		return
	case d.Seasonality == SeasonalityDailyWeekly && Day%g != 0:
		m.sc.errorf(m.seasonKey(), "[daily, weekly] needs a granularity that divides 1d, got %s%s; use seasonality: weekly", FormatDuration(g), m.via("granularity"))
		return
	}
	if d.History == 0 {
		d.History = defaultHistorySeasons * season
	}
	checkSeasons(m, season)
}

// checkSeasons checks that the seasonal method's history is 3 to 64 whole
// seasons of whole buckets.
func checkSeasons(m *rawMetric, season time.Duration) {
	d := m.Detect
	if m.sc.bad["detect.history"] || !m.wholeBuckets("detect.history", d.History) {
		return
	}
	name := d.Seasonality
	if name == SeasonalityNone {
		name = "one-bucket"
	}
	switch n := d.History / season; {
	case n < minSeasonalSeasons:
		m.sc.errorf("detect.history", "need at least %d seasons (%s for %s seasonality), got %s%s",
			minSeasonalSeasons, FormatDuration(minSeasonalSeasons*season), name, FormatDuration(d.History), m.via("detect.history"))
	case d.History%season != 0:
		m.sc.errorf("detect.history", "must be a whole number of %s seasons, e.g. %s, got %s%s",
			FormatDuration(season), FormatDuration(n*season), FormatDuration(d.History), m.via("detect.history"))
	case n > maxSeasonalSeasons:
		m.sc.errorf("detect.history", "at most %d seasons (%s for %s seasonality), got %s%s",
			maxSeasonalSeasons, FormatDuration(maxSeasonalSeasons*season), name, FormatDuration(d.History), m.via("detect.history"))
	}
}

// checkChange checks the change method's offset and max and resolves an
// offset given in buckets.
func checkChange(m *rawMetric) {
	d, g := &m.Detect, m.Granularity
	switch {
	case m.sc.bad["detect.offset"]:
	case d.offsetBuckets > 0:
		d.Offset = time.Duration(d.offsetBuckets) * g
	case d.Offset == 0:
		m.sc.errorNear("detect.offset", "detect.method", "missing; method change needs an offset, e.g. offset: 1w (week over week) or offset: 1 (the bucket before)")
	default:
		m.wholeBuckets("detect.offset", d.Offset)
	}
	if d.Max == 0 && !m.sc.bad["detect.max"] {
		m.sc.errorNear("detect.max", "detect.method", `missing; method change needs the largest allowed change, e.g. max: "20%%" or max: 500`)
	}
	d.Relative = d.Relative || d.maxPercent
}

// checkSTL checks the stl method's season.
func checkSTL(m *rawMetric) {
	if m.given("detect.period") && m.given("detect.seasonality") {
		m.sc.errorf("detect.period", "give period or seasonality, not both")
		return
	}
	if season, ok := seasonFor(m, true); ok && season == 0 {
		m.sc.errorf(m.seasonKey(), "method stl needs a season; set seasonality: daily or weekly, or a period such as period: 12h")
	}
}

// checkCUSUM checks the cusum method's season and window.
func checkCUSUM(m *rawMetric) {
	d, g := &m.Detect, m.Granularity
	season, ok := seasonFor(m, false)
	if !ok {
		return
	}
	if d.Window == 0 {
		d.Window = defaultWindowBuckets * g
		if season > 0 {
			d.Window = defaultCUSUMSeasons * season
		}
	}
	if !m.wholeBuckets("detect.window", d.Window) {
		return
	}
	switch {
	case d.Window < minCUSUMWindow*g:
		m.sc.errorf("detect.window", "must be at least %d buckets (%s), got %s%s", minCUSUMWindow, FormatDuration(minCUSUMWindow*g), FormatDuration(d.Window), m.via("detect.window"))
	case season > 0 && (d.Window%season != 0 || d.Window < 2*season):
		m.sc.errorf("detect.window", "must be a whole number of %s seasons, at least 2 (%s), got %s%s",
			FormatDuration(season), FormatDuration(2*season), FormatDuration(d.Window), m.via("detect.window"))
	}
}

// checkFreshness checks the freshness method's direction, age and window.
func checkFreshness(m *rawMetric) {
	d, g := &m.Detect, m.Granularity
	if d.Direction == "up" && !m.sc.bad["detect.direction"] {
		m.sc.errorf("detect.direction", "method freshness judges missing data, which is a drop; use direction: down or both, got up%s", m.via("detect.direction"))
	}
	m.wholeBuckets("detect.max_age", d.MaxAge)
	if d.Window == 0 {
		d.Window = defaultWindowBuckets * g
	}
	m.wholeBuckets("detect.window", d.Window)
}

// defaultSeasonality is weekly when a week is a whole number of buckets
// longer than one (sub-day granularities and 1d), since business metrics
// mostly repeat by weekday and hour; otherwise none.
func defaultSeasonality(g time.Duration) string {
	if g > 0 && g < Week && Week%g == 0 {
		return SeasonalityWeekly
	}
	return SeasonalityNone
}
