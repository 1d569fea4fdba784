package webhook

import (
	"bytes"
	"encoding/json"
	"math"
	"time"

	"vigil/notifiers"
)

// Version is the version of the payload format. Adding a field keeps it;
// removing a field or changing what one means raises it.
const Version = 1

// Payload is the JSON body of a delivery, described in the package
// comment. Receivers written in Go may decode into it.
type Payload struct {
	Version     int     `json:"version"`
	Key         string  `json:"key"` // also sent as the Idempotency-Key header
	ID          string  `json:"id"`
	State       string  `json:"state"`
	Rule        string  `json:"rule"`
	Description string  `json:"description"`
	Owner       string  `json:"owner"`
	Runbook     string  `json:"runbook"`
	Unit        string  `json:"unit"`
	Method      string  `json:"method"`
	Sensitivity string  `json:"sensitivity"`
	Time        string  `json:"time"`        // RFC 3339 in UTC
	Timezone    string  `json:"timezone"`    // IANA name the rule's days are counted in
	Granularity float64 `json:"granularity"` // bucket width in seconds

	Value    *float64 `json:"value"` // numbers are null when undefined (NaN) or infinite
	Expected *float64 `json:"expected"`
	Lower    *float64 `json:"lower"`
	Upper    *float64 `json:"upper"`
	Change   *float64 `json:"change"` // (value - expected) / |expected|
	Score    *float64 `json:"score"`

	Direction string         `json:"direction"`
	Reason    string         `json:"reason"`
	Query     string         `json:"query"`
	History   []HistoryPoint `json:"history"`

	Explanation      json.RawMessage `json:"explanation,omitempty"`
	ExplanationError string          `json:"explanation_error,omitempty"`
}

// HistoryPoint is one bucket of Payload.History.
type HistoryPoint struct {
	Time     string   `json:"time"`
	Value    *float64 `json:"value"`
	Expected *float64 `json:"expected"`
	Lower    *float64 `json:"lower"`
	Upper    *float64 `json:"upper"`
}

// NewPayload describes a for a receiver, with key as its idempotency key.
func NewPayload(a notifiers.Alert, key string) Payload {
	p := Payload{
		Version: Version, Key: key, ID: a.ID, State: string(a.State), Rule: a.Rule,
		Description: a.Description, Owner: a.Owner, Runbook: a.Runbook, Unit: a.Unit,
		Method: a.Method, Sensitivity: a.Sensitivity,
		Time: stamp(a.Time), Timezone: "UTC", Granularity: a.Granularity.Seconds(),
		Value: num(a.Value), Expected: num(a.Expected), Lower: num(a.Lower), Upper: num(a.Upper),
		Change: num(a.Change()), Score: num(a.Score),
		Direction: a.Direction, Reason: a.Reason, Query: a.Query,
		History: make([]HistoryPoint, 0, len(a.History)),
	}
	if a.Location != nil {
		p.Timezone = a.Location.String()
	}
	for _, h := range a.History {
		p.History = append(p.History, HistoryPoint{Time: stamp(h.Time), Value: num(h.Value),
			Expected: num(h.Expected), Lower: num(h.Lower), Upper: num(h.Upper)})
	}
	p.Explanation, p.ExplanationError = explanation(a.Explanation)
	return p
}

// explanation encodes x, or says why it cannot: an alert is still worth
// delivering without its drill-down.
func explanation(x *notifiers.Explanation) (json.RawMessage, string) {
	if x == nil {
		return nil, ""
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err.Error()
	}
	if string(b) == "null" {
		return nil, ""
	}
	return b, ""
}

// Encode returns p as JSON, leaving <, > and & as they are for people
// reading SQL in it.
func (p Payload) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// num is x, or nil when JSON cannot hold it.
func num(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
