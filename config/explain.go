package config

import "time"

// Explain bounds the drill-down that explains an anomaly of a metric with
// dimensions (explain: on a metric). Zero values take explain's defaults.
type Explain struct {
	MaxQueries  int           // breakdown queries at most (default 3, one per level)
	MaxDuration time.Duration // time for all of them (default 20s)
	MinShare    float64       // share of the change that counts as explained (default 80%)
	MaxDepth    int           // largest combination of dimensions searched, 1 to 3 (default 3)
}

func explainFields(e *Explain) fields {
	return fields{
		"max_queries":  integer(&e.MaxQueries),
		"max_duration": duration(&e.MaxDuration),
		"min_share":    fraction(&e.MinShare, nil),
		"max_depth":    integer(&e.MaxDepth),
	}
}

// checkExplain checks explain: on its own and against the metric's form.
func checkExplain(m *rawMetric) {
	sc, e := m.sc, m.Explain
	if _, given := sc.at["explain"]; !given || sc.bad["explain"] {
		return
	}
	if len(m.Dimensions) == 0 {
		sc.errorf("explain", "needs dimensions: list the columns to break the metric down by")
	}
	if sc.has("explain.max_queries") && e.MaxQueries < 1 {
		sc.errorf("explain.max_queries", "must be at least 1, got %d", e.MaxQueries)
	}
	if sc.has("explain.max_duration") && e.MaxDuration <= 0 {
		sc.errorf("explain.max_duration", "must be positive, e.g. 20s")
	}
	if sc.has("explain.min_share") && (e.MinShare <= 0 || e.MinShare > 1) {
		sc.errorf("explain.min_share", "must be above 0 and at most 1 (or 100%%), got %v", e.MinShare)
	}
	if sc.has("explain.max_depth") && (e.MaxDepth < 1 || e.MaxDepth > 3) {
		sc.errorf("explain.max_depth", "must be 1, 2 or 3, got %d", e.MaxDepth)
	}
}
