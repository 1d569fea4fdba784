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
	"vigil/notifiers"
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
	return explain.Input{
		Metric:     m.Name,
		Unit:       m.Unit,
		At:         p.Time,
		Step:       m.Granularity,
		Loc:        loc,
		Actual:     p.Value,
		Expected:   p.Expected,
		Scale:      explain.ScaleOf(p, threshold(m.Detect)),
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

// alertExplanation is x as plain data for notifiers: the sentence, the
// verdict, the notes and the contributors worth showing (those that explain
// the move, and the next largest up to five), each segment's dimensions in
// the rule's order.
func alertExplanation(x *explain.Explanation, dims []string) *notifiers.Explanation {
	if x == nil {
		return nil
	}
	out := &notifiers.Explanation{Sentence: x.Sentence, Verdict: string(x.Verdict), Notes: x.Notes}
	n := min(len(x.Contributors), max(x.ExplainedBy, 3), 5)
	for _, c := range x.Contributors[:n] {
		ac := notifiers.Contributor{Actual: c.Actual, Expected: c.Expected, Delta: c.Delta, Share: c.Share}
		for _, d := range dims {
			if v, ok := c.Segment[d]; ok {
				ac.Segment = append(ac.Segment, notifiers.SegmentValue{Dimension: d, Value: v})
			}
		}
		if c.RatioParts != nil {
			mix, rate := c.MixEffect, c.RateEffect
			ac.MixEffect, ac.RateEffect = &mix, &rate
		}
		out.Contributors = append(out.Contributors, ac)
	}
	if out.Sentence == "" && len(out.Notes) > 0 {
		out.Sentence = out.Notes[0]
	}
	return out
}

// threshold is the robust z threshold of m's detect settings.
func threshold(d config.Detect) float64 {
	if d.Threshold > 0 {
		return d.Threshold
	}
	t, err := detector.ParseSensitivity(d.Sensitivity)
	if err != nil {
		return detector.ThresholdMedium
	}
	return t
}
