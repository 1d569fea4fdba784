package engine

import (
	"context"
	"errors"
	"log/slog"

	"vigil/detector"
	"vigil/notifiers"
	"vigil/sources"
)

// totalSeries is the key of a metric's whole series, as opposed to one of
// its segments (which later issues judge too).
const totalSeries = "total"

// alertID is the stable identity of an incident: the rule plus the series.
func alertID(rule, series string) string { return rule + "/" + series }

// track records the verdict on res's latest bucket and notifies r's
// notifiers when it opens an incident.
func (e *Engine) track(ctx context.Context, log *slog.Logger, r Rule, res *Result) {
	p, ok := res.Latest()
	if !ok {
		return
	}
	switch e.incidents.Observe(alertID(r.Name(), totalSeries), p.Time, p.Anomaly) {
	case Opened:
		log.Info("anomaly", "bucket", p.Time, "value", p.Value, "expected", p.Expected, "reason", p.Reason)
		a := newAlert(r, *res, p)
		res.Explanation = explanation(ctx, log, r, *res, p)
		a.Explanation = alertExplanation(res.Explanation, r.Metric.Dimensions)
		res.NotifyErr = notify(ctx, log, r, a)
		res.Notified = true
	case Closed:
		log.Info("recovered", "bucket", p.Time, "value", p.Value, "expected", p.Expected)
	}
}

// notify delivers a to every notifier of r and returns the failures joined.
// Retrying them is left to a later stage.
func notify(ctx context.Context, log *slog.Logger, r Rule, a notifiers.Alert) error {
	var errs []error
	for _, n := range r.Notifiers {
		if retry, err := n.Notify(ctx, a); err != nil {
			log.Error("notify failed", "err", err, "retry", retry)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// renderer is implemented by sources that can show their SQL to people.
type renderer interface {
	Render(q sources.Query) (string, error)
}

// newAlert describes the anomaly p of rule r for notifiers.
func newAlert(r Rule, res Result, p detector.Point) notifiers.Alert {
	m := r.Metric
	method := r.Method
	if method == "" {
		method = m.Detect.Method
	}
	a := notifiers.Alert{
		ID:          alertID(m.Name, totalSeries),
		State:       notifiers.Firing,
		Rule:        m.Name,
		Description: m.Description,
		Owner:       m.Owner,
		Runbook:     m.Runbook,
		Channel:     m.SlackChannel,
		Unit:        m.Unit,
		Method:      method,
		Sensitivity: m.Detect.Sensitivity,
		Time:        p.Time,
		Granularity: m.Granularity,
		Location:    res.Location,
		Value:       p.Value,
		Expected:    p.Expected,
		Lower:       p.Lower,
		Upper:       p.Upper,
		Score:       p.Score,
		Direction:   p.Direction.String(),
		Reason:      p.Reason,
		History:     make([]notifiers.HistoryPoint, 0, len(res.Points)),
	}
	if rd, ok := r.Source.(renderer); ok {
		if sql, err := rd.Render(window(m, res.Bucket)); err == nil {
			a.Query = sql
		}
	}
	for _, h := range res.Points {
		a.History = append(a.History, notifiers.HistoryPoint{
			Time: h.Time, Value: h.Value, Expected: h.Expected, Lower: h.Lower, Upper: h.Upper,
		})
	}
	return a
}
