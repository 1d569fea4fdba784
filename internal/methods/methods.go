// Package methods builds a metric's detector from its detect settings: the
// one place that knows both the config schema and the detector package. It
// maps the method and its settings to a detector, the shared guards to
// detector.Guards, seasonality to periods in buckets of the metric's
// granularity, and wraps the result in the guards every method shares:
//
//	Clean → method → Missing → Consecutive → Mute
//
// Clean keeps excluded buckets (past incidents, feedback, mute windows,
// holidays) out of the history; Missing says what a missing bucket is;
// Consecutive holds back all but the Nth breach in a row; Mute silences
// mute windows and holidays while keeping the verdict.
package methods

import (
	"errors"
	"fmt"
	"time"

	"vigil/config"
	"vigil/detector"
)

// Description says how a metric is judged, for people and for the engine.
type Description struct {
	Method string // the config's method name: "seasonal", "holt_winters", ...
	// Sensitivity is "low", "medium" or "high", "z 3.5" for an explicit
	// threshold, or "" for methods without one (threshold, change,
	// freshness).
	Sensitivity string
	// Text is the whole description in plain words: "seasonal (weekly, 8
	// seasons), medium sensitivity, drops only".
	Text string
	// History is how far before the first judged bucket the detector reads
	// data: query at least this much more than the judged buckets.
	History time.Duration
}

// String returns Text.
func (d Description) String() string { return d.Text }

// Option supplies what Build cannot read from the config.
type Option func(*options)

type options struct {
	incidents, feedback func(time.Time) bool
}

// Incidents reports the buckets of the metric's past incidents, which
// detect.exclude.incidents keeps out of baselines. f is called while
// detecting, with a bucket's start, so it may follow incidents as they
// happen; it must be safe for concurrent use.
func Incidents(f func(bucket time.Time) bool) Option {
	return func(o *options) { o.incidents = f }
}

// Feedback reports the buckets analysts marked as anomalies, which
// detect.exclude.feedback keeps out of baselines; see Incidents.
func Feedback(f func(bucket time.Time) bool) Option {
	return func(o *options) { o.feedback = f }
}

// Build returns the detector of the metric's detect settings, wrapped in
// the shared guards, and its description. m is a metric as config.Load
// returns it, with defaults applied; Build still checks what it relies on
// and returns an error naming the setting otherwise.
func Build(m config.Metric, opts ...Option) (detector.Detector, Description, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	d, desc, err := build(m)
	if err != nil {
		return nil, Description{}, fmt.Errorf("detect: %w", err)
	}
	cal, err := newCalendar(m)
	if err != nil {
		return nil, Description{}, fmt.Errorf("detect: %w", err)
	}
	dd := m.Detect
	if dd.Method != config.MethodThreshold {
		d = detector.Clean(d, exclusions(dd.Exclude, cal, o))
	}
	if dd.Method != config.MethodFreshness {
		d = detector.Missing(d, dd.Missing == "alert")
	}
	d = detector.Consecutive(d, dd.Consecutive)
	d = detector.Mute(d, cal.muted())
	desc.History += time.Duration(max(dd.Consecutive-1, 0)) * m.Granularity
	desc.Text += guardsText(dd, m.Granularity)
	return d, desc, nil
}

// build returns the bare method's detector and description.
func build(m config.Metric) (detector.Detector, Description, error) {
	g := m.Granularity
	if g <= 0 {
		return nil, Description{}, fmt.Errorf("granularity %v: must be positive", g)
	}
	gd, err := guards(m.Detect)
	if err != nil {
		return nil, Description{}, err
	}
	b := builder(m.Detect.Method)
	if b == nil {
		return nil, Description{}, fmt.Errorf("unknown method %q (valid: %v)", m.Detect.Method, config.Methods())
	}
	d, desc, err := b(m, gd)
	if err != nil {
		return nil, Description{}, fmt.Errorf("%s: %w", m.Detect.Method, err)
	}
	desc.Method = m.Detect.Method
	return d, desc, nil
}

// methodBuilder builds one method's detector from a metric and its guards.
type methodBuilder func(config.Metric, detector.Guards) (detector.Detector, Description, error)

// builder returns the builder of a method, nil for an unknown one.
func builder(method string) methodBuilder {
	switch method {
	case config.MethodSeasonal:
		return buildSeasonal
	case config.MethodThreshold:
		return buildThreshold
	case config.MethodChange:
		return buildChange
	case config.MethodSTL:
		return buildSTL
	case config.MethodHoltWinters:
		return buildHoltWinters
	case config.MethodCUSUM:
		return buildCUSUM
	case config.MethodFreshness:
		return buildFreshness
	case config.MethodAuto:
		return buildAuto
	}
	return nil
}

// guards maps the shared detect settings to detector.Guards: the threshold
// is the explicit one, else the sensitivity's.
func guards(d config.Detect) (detector.Guards, error) {
	dir, err := detector.ParseDirection(d.Direction)
	if err != nil {
		return detector.Guards{}, err
	}
	t := d.Threshold
	if t <= 0 {
		if t, err = detector.ParseSensitivity(d.Sensitivity); err != nil {
			return detector.Guards{}, err
		}
	}
	for _, x := range []float64{d.MinDelta, d.MinRelDelta, d.MinVolume} {
		if !(x >= 0) {
			return detector.Guards{}, errors.New("min_delta, min_rel_delta and min_volume must be 0 or more")
		}
	}
	return detector.Guards{Direction: dir, Threshold: t, MinDelta: d.MinDelta,
		MinRelDelta: d.MinRelDelta, MinVolume: d.MinVolume}, nil
}

// buckets returns d as a whole number of buckets of g.
func buckets(key string, d, g time.Duration) (int, error) {
	if d <= 0 || d%g != 0 {
		return 0, fmt.Errorf("%s %s is not a whole number of %s buckets", key, config.FormatDuration(d), config.FormatDuration(g))
	}
	return int(d / g), nil
}
