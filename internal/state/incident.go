package state

import (
	"encoding/json"
	"time"
)

// State is where an incident is in its lifecycle.
type State string

// Incident states.
const (
	Pending  State = "pending"  // breaching, fewer than the rule's N breaches so far
	Firing   State = "firing"   // people were (or are being) told
	Resolved State = "resolved" // back to normal; a new breach opens a new incident
)

// Feedback kinds a person can give on an incident.
const (
	NotAnomaly = "not_anomaly" // the alert was wrong: the data was fine
	Confirmed  = "confirmed"   // the alert was right: something really moved
)

// Ref locates what one notifier posted for an incident, so later events
// update the same message or thread. For Slack: the channel, the ts of the
// thread's first message, and the thread it lives in.
type Ref struct {
	Channel  string `json:"channel,omitempty"`
	TS       string `json:"ts,omitempty"`
	ThreadTS string `json:"thread_ts,omitempty"`
}

// Peak is the most anomalous bucket of an incident so far. Expected may be
// NaN (a method without an expected value); it is stored as null.
type Peak struct {
	At       time.Time `json:"at,omitzero"`
	Value    float64   `json:"value"`
	Expected float64   `json:"expected"`
	Score    float64   `json:"score"`
}

// Incident is one anomaly episode of one series of one rule, from its first
// breaching bucket to its resolution, with everything people did about it.
type Incident struct {
	ID           string    `json:"id"` // IncidentID(Rule, Series, Start)
	Rule         string    `json:"rule"`
	Series       string    `json:"series,omitempty"` // "" for the rule's whole metric
	State        State     `json:"state"`
	Start        time.Time `json:"start"`       // first breaching bucket
	LastBucket   time.Time `json:"last_bucket"` // last bucket judged for it
	ResolvedAt   time.Time `json:"resolved_at,omitzero"`
	Breaches     int       `json:"breaches"`      // anomalous buckets so far
	NormalStreak int       `json:"normal_streak"` // consecutive normal buckets since the last breach

	Peak          Peak      `json:"peak"`
	LastNotified  time.Time `json:"last_notified,omitzero"`
	Notifications int       `json:"notifications"`

	AckBy               string    `json:"ack_by,omitempty"`
	AckAt               time.Time `json:"ack_at,omitzero"`
	SnoozedUntil        time.Time `json:"snoozed_until,omitzero"`
	SnoozeUntilRecovery bool      `json:"snooze_until_recovery,omitempty"`
	Feedback            string    `json:"feedback,omitempty"` // NotAnomaly, Confirmed or ""
	FeedbackBy          string    `json:"feedback_by,omitempty"`
	FeedbackAt          time.Time `json:"feedback_at,omitzero"`

	Refs        map[string]Ref  `json:"refs,omitempty"`   // by notifier name
	Points      []time.Time     `json:"points,omitempty"` // starts of the anomalous buckets
	Explanation json.RawMessage `json:"explanation,omitempty"`
}

// IncidentID is the stable identity of the incident of rule and series
// that started at start: "orders@2024-05-01T14:00:00Z", or with a series
// "orders{country=BR}@2024-05-01T14:00:00Z". The same inputs give the same
// ID after any restart, so it serves as an idempotency key.
func IncidentID(rule, series string, start time.Time) string {
	id := rule
	if series != "" {
		id += "{" + series + "}"
	}
	return id + "@" + start.UTC().Format(time.RFC3339Nano)
}

// Snoozed says whether notifications about the incident are held at now.
func (i *Incident) Snoozed(now time.Time) bool {
	return i.SnoozeUntilRecovery || now.Before(i.SnoozedUntil)
}

// Acked says whether someone acknowledged the incident.
func (i *Incident) Acked() bool { return i.AckBy != "" || !i.AckAt.IsZero() }

// MarshalJSON stores Peak's floats so that NaN and ±Inf survive.
func (p Peak) MarshalJSON() ([]byte, error) {
	return json.Marshal(peakJSON{p.At, jfloat(p.Value), jfloat(p.Expected), jfloat(p.Score)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (p *Peak) UnmarshalJSON(b []byte) error {
	var j peakJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Peak{j.At, float64(j.Value), float64(j.Expected), float64(j.Score)}
	return nil
}

type peakJSON struct {
	At       time.Time `json:"at,omitzero"`
	Value    jfloat    `json:"value"`
	Expected jfloat    `json:"expected"`
	Score    jfloat    `json:"score"`
}
