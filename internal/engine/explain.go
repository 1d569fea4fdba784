package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/detector/explain"
	"vigil/sources"
)

// maxBaseline bounds the baseline buckets an explanation compares with: a
// seasonal rule over 8 weeks of daily seasons uses the latest 28, a rule
// without seasonality the 28 buckets before the one explained. Their mean
// only sets the proportions of the segments, which a month pins down well.
const maxBaseline = 28

// errNoBreakdown reports a source that cannot break a metric down.
var errNoBreakdown = errors.New("source cannot break metrics down by dimension")

// explainPoint breaks the metric of r down at the point p that res judged,
// against the baseline buckets the detector compared it with.
func explainPoint(ctx context.Context, r Rule, res Result, p detector.Point) (*explain.Explanation, error) {
	m := r.Metric
	in, err := explainInput(m, res.Location, p)
	if err != nil {
		return nil, err
	}
	b, ok := r.Source.(sources.Breakdowner)
	if !ok {
		return nil, errNoBreakdown
	}
	return explain.Explain(ctx, sources.Fetcher(b, window(m, res.Bucket)), in, r.Explain)
}

// explainInput turns the detector's verdict on p into explain's input.
func explainInput(m config.Metric, loc *time.Location, p detector.Point) (explain.Input, error) {
	switch {
	case len(m.Dimensions) == 0:
		return explain.Input{}, fmt.Errorf("metric %q has no dimensions to break it down by; list columns under dimensions in its rule", m.Name)
	case m.SQL != "":
		return explain.Input{}, fmt.Errorf("metric %q is written as sql, which cannot be broken down; use table, timestamp and value", m.Name)
	case math.IsNaN(p.Value):
		return explain.Input{}, fmt.Errorf("the bucket at %s has no value to explain", stamp(p.Time, loc))
	case math.IsNaN(p.Expected) || math.IsInf(p.Expected, 0):
		return explain.Input{}, fmt.Errorf("the detector has no expected value for the bucket at %s (%s)", stamp(p.Time, loc), p.Reason)
	}
	threshold := 0.0
	if g, err := guards(m.Detect); err == nil {
		threshold = g.Threshold
	}
	return explain.Input{
		Metric:     m.Name,
		Unit:       m.Unit,
		At:         p.Time,
		Step:       m.Granularity,
		Loc:        loc,
		Actual:     p.Value,
		Expected:   p.Expected,
		Scale:      explain.ScaleOf(p, threshold),
		Dimensions: m.Dimensions,
		Ratio:      m.Ratio(),
		Baseline:   baseline(m, p.Time, loc),
	}, nil
}

// baseline returns the buckets the detector compared the bucket at at
// with: the same slot in each past season of the history (one season is a
// bucket for rules without seasonality), the latest maxBaseline of them.
func baseline(m config.Metric, at time.Time, loc *time.Location) []explain.Range {
	season := config.Season(m.Detect.Seasonality, m.Granularity)
	n := 1
	if season > 0 {
		n = int(m.Detect.History / season)
	}
	return explain.Seasons(at, m.Granularity, season, min(max(n, 1), maxBaseline), loc)
}

// explanation explains an anomaly for its alert. It never fails: when no
// explanation can be had, the alert carries one that says why in its
// notes. It returns nil for a metric without dimensions.
func explanation(ctx context.Context, log *slog.Logger, r Rule, res Result, p detector.Point) *explain.Explanation {
	if len(r.Metric.Dimensions) == 0 {
		return nil
	}
	start := time.Now()
	e, err := explainPoint(ctx, r, res, p)
	if err != nil {
		log.Warn("explanation failed; alerting without it", "err", err, "duration", time.Since(start))
		return &explain.Explanation{Metric: r.Name(), Unit: r.Metric.Unit, At: p.Time.In(res.Location),
			Actual: p.Value, Expected: p.Expected, Delta: p.Value - p.Expected,
			Notes: []string{"no explanation: " + err.Error()}}
	}
	log.Debug("explained", "verdict", e.Verdict, "queries", e.Queries, "duration", time.Since(start))
	return e
}

// stamp formats a bucket start for messages, in the rule's zone.
func stamp(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
