// Package notifiers defines how vigil tells people about an alert. Each
// channel (console, slack, webhook) implements Notifier; rendering works on
// Alert, plain data that does not depend on the rest of vigil.
package notifiers

import (
	"context"
	"math"
	"time"
)

// Notifier delivers one alert. When it fails, retry says whether trying the
// same delivery again may succeed (a timeout, a 5xx, a rate limit) or not
// (a bad token, a missing channel).
type Notifier interface {
	Notify(ctx context.Context, a Alert) (retry bool, err error)
}

// NotifierFunc adapts a function to the Notifier interface.
type NotifierFunc func(ctx context.Context, a Alert) (bool, error)

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, a Alert) (bool, error) { return f(ctx, a) }

// State is where an alert is in its lifecycle.
type State string

// States a notifier renders.
const (
	Firing   State = "firing"
	Resolved State = "resolved"
)

// Alert is everything a notifier needs to render one alert, as plain data.
type Alert struct {
	ID          string // stable identity of the incident: rule plus series
	State       State
	Rule        string // the metric's name
	Description string
	Owner       string
	Runbook     string
	Unit        string // optional unit of the value ("$", "ms", "%")
	Method      string // detection method, e.g. "seasonal (weekly, 8 seasons)"
	Sensitivity string

	Time        time.Time     // start of the judged bucket
	Granularity time.Duration // bucket width
	Location    *time.Location
	Value       float64
	Expected    float64
	Lower       float64
	Upper       float64
	Score       float64
	Direction   string // "up" or "down"
	Reason      string // one line in plain words
	Query       string // the SQL that produced the series, for analysts

	// History is the recent series for charts: actual and expected per bucket.
	History []HistoryPoint
}

// HistoryPoint is one bucket of an alert's recent history.
type HistoryPoint struct {
	Time     time.Time
	Value    float64
	Expected float64
	Lower    float64
	Upper    float64
}

// Change returns the relative change of the value against the expected one,
// NaN when the expected value is zero.
func (a Alert) Change() float64 {
	if a.Expected == 0 {
		return math.NaN()
	}
	return (a.Value - a.Expected) / math.Abs(a.Expected)
}
