// Package notifiers defines how vigil tells people about an alert. Each
// channel (console, slack, webhook) implements Notifier; rendering works on
// Alert, plain data that does not depend on the rest of vigil.
package notifiers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
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
	Key         string // the delivery's idempotency key, stable across retries and restarts; see DeliveryKey
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

	// Explanation is the drill-down behind the move, nil when there is none.
	Explanation *Explanation

	// Channel overrides the notifier's channel for this rule ("#growth" or a
	// channel ID); empty means the notifier's own routing.
	Channel string

	// Started is the start of the incident's first anomalous bucket; zero
	// when unknown. With Time it gives a resolved incident's duration.
	Started time.Time
}

// DeliveryKey returns the delivery's idempotency key: Key when set, else a
// key derived from ID, State and Time, so that the same alert delivered
// again after a retry or a restart carries the same key.
func (a Alert) DeliveryKey() string {
	if a.Key != "" {
		return a.Key
	}
	h := sha256.New()
	for _, s := range []string{a.ID, string(a.State), a.Time.UTC().Format(time.RFC3339Nano)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "vigil-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Prober is implemented by notifiers that can tell whether a delivery
// already happened, so that after a crash between sending and recording a
// delivery the caller can ask instead of sending it again. Notifiers that
// cannot know (webhooks) do not implement it; they resend with the same
// idempotency key and rely on the receiver to drop the duplicate.
type Prober interface {
	Delivered(ctx context.Context, key string) (bool, error)
}

// Explanation is why a metric moved: a sentence for people and the
// segments behind the move, largest first.
type Explanation struct {
	Sentence     string        `json:"sentence"`
	Contributors []Contributor `json:"contributors,omitempty"`
	// Verdict says how much of the move the contributors explain, e.g.
	// "explained", "partial", "unexplained".
	Verdict string `json:"verdict,omitempty"`
	// Notes say what limited the explanation, or why there is none.
	Notes []string `json:"notes,omitempty"`
}

// Contributor is one segment's part in a move: its actual and expected
// values, its delta (actual − expected) and its share of the total delta.
// For ratio metrics MixEffect and RateEffect split the delta into the part
// due to the segment's weight moving and the part due to its rate moving.
type Contributor struct {
	Segment    []SegmentValue `json:"segment"`
	Actual     float64        `json:"actual"`
	Expected   float64        `json:"expected"`
	Delta      float64        `json:"delta"`
	Share      float64        `json:"share"`
	MixEffect  *float64       `json:"mix_effect,omitempty"`
	RateEffect *float64       `json:"rate_effect,omitempty"`
}

// SegmentValue is one dimension's value in a segment, e.g. country=BR.
type SegmentValue struct {
	Dimension string `json:"dimension"`
	Value     string `json:"value"`
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

// Side is "up" or "down": the alert's own direction, or the side of
// expected the value lies on when the alert has none.
func (a Alert) Side() string {
	switch a.Direction {
	case "up", "down":
		return a.Direction
	}
	if a.Value < a.Expected || math.IsNaN(a.Expected) && a.Value < a.Lower {
		return "down"
	}
	return "up"
}

// HowJudged is the method and sensitivity in words, as every notifier shows
// them: "seasonal (weekly, 8 seasons), medium sensitivity". A Method that
// already names its sensitivity is used as it is.
func (a Alert) HowJudged() string {
	sens := a.Sensitivity
	switch sens {
	case "low", "medium", "high":
		sens += " sensitivity"
	case "":
	default:
		sens = "sensitivity " + sens
	}
	switch {
	case a.Method != "" && (sens == "" || strings.Contains(a.Method, "sensitivity")):
		return a.Method
	case a.Method != "":
		return a.Method + ", " + sens
	}
	return sens
}
