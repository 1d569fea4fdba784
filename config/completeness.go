package config

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Completeness says when a bucket's data has arrived, judged from a column
// holding each row's arrival (ingestion) time instead of from the fixed
// delay alone: a bucket still filling is not judged yet, and one that stays
// short of rows past MaxWait is reported as late data, not as a drop.
// The zero value (no arrival column) keeps the fixed delay.
type Completeness struct {
	Arrival string // the column (or expression) of each row's arrival time; empty: off
	// Min is the share of a bucket's usual rows that must have arrived
	// before it is judged: above 0 and at most 1.
	Min float64
	// MaxWait is the age (after the bucket ends) from which a bucket that
	// is still incomplete is reported as late data. It exceeds the delay.
	MaxWait time.Duration
}

// Enabled reports whether the metric judges completeness from arrivals.
func (c Completeness) Enabled() bool { return c.Arrival != "" }

// Built-in values of completeness.
const (
	defaultCompleteMin     = 0.95
	defaultCompleteMaxWait = 6 * time.Hour
	// maxCompleteBuckets bounds max_wait in buckets: the query counts
	// arrivals at the age of every bucket up to max_wait, one column each.
	maxCompleteBuckets = 64
)

// learnHelp says why completeness is not learnt without an arrival column.
const learnHelp = "is not offered: without an arrival column, a bucket that is low because its data is late looks " +
	"exactly like one that is low because the metric dropped, so any fill level learnt from the values " +
	"would hide real drops; name the ingestion time column with arrival, or keep delay"

func completenessFields(c *Completeness) fields {
	return fields{
		"arrival":  str(&c.Arrival),
		"min":      fraction(&c.Min, nil),
		"max_wait": duration(&c.MaxWait),
		"learn": func(s *scope, key string, n *yaml.Node) {
			s.fail(key, n, "%s", learnHelp)
		},
	}
}

// checkCompleteness checks completeness: against the metric's form, its
// delay and its granularity, which must be known (inherited) by now. It
// fills in the built-in values.
func checkCompleteness(m *rawMetric) {
	sc, c := m.sc, &m.Completeness
	if _, given := sc.at["completeness"]; !given || sc.bad["completeness"] {
		return
	}
	if _, sql := sc.at["sql"]; sql {
		sc.errorf("completeness", "needs the structured form (table, timestamp, value): vigil counts arrivals in the query it writes; with sql, keep delay")
	}
	switch {
	case sc.bad["completeness.arrival"]:
	case !sc.has("completeness.arrival"):
		atMapping(sc, "completeness.arrival")
		sc.errorf("completeness.arrival", "missing; name the column that holds each row's arrival (ingestion) time, e.g. arrival: ingested_at")
	case strings.TrimSpace(c.Arrival) == "":
		sc.errorf("completeness.arrival", "empty")
	}
	if !sc.has("completeness.min") {
		c.Min = defaultCompleteMin
	} else if c.Min <= 0 || c.Min > 1 {
		sc.errorf("completeness.min", "must be above 0 and at most 1 (or 100%%), got %v", c.Min)
	}
	checkMaxWait(m)
}

// checkMaxWait checks completeness.max_wait against the delay and the
// granularity.
func checkMaxWait(m *rawMetric) {
	sc, c := m.sc, &m.Completeness
	via := ""
	if !sc.has("completeness.max_wait") {
		c.MaxWait, via = defaultCompleteMaxWait, " (the built-in default)"
		if sc.bad["completeness.max_wait"] {
			return
		}
		atMapping(sc, "completeness.max_wait")
	}
	switch {
	case c.MaxWait <= m.Delay:
		sc.errorf("completeness.max_wait", "must be longer than delay (%s%s), got %s%s: buckets younger than the delay are never judged",
			FormatDuration(m.Delay), m.via("delay"), FormatDuration(c.MaxWait), via)
	case m.Granularity > 0 && c.MaxWait > maxCompleteBuckets*m.Granularity:
		sc.errorf("completeness.max_wait", "spans more than %d buckets of %s, got %s%s; wait less, or use a coarser granularity",
			maxCompleteBuckets, FormatDuration(m.Granularity), FormatDuration(c.MaxWait), via)
	}
}

// atMapping makes problems with key, which was not given, point at the
// completeness mapping rather than at the start of the metric.
func atMapping(sc *scope, key string) {
	if _, ok := sc.at[key]; !ok {
		sc.at[key] = sc.at["completeness"]
	}
}
