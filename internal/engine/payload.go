package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"vigil/notifiers"
)

// A delivery's payload is the alert as the engine built it, stored with
// the delivery so that a restart sends exactly what was decided, however
// the data or the config changed meanwhile.

// storedAlert is notifiers.Alert as JSON: the zone by name, floats that
// keep NaN and infinities, the explanation as raw JSON.
type storedAlert struct {
	ID          string          `json:"id"`
	State       notifiers.State `json:"state"`
	Rule        string          `json:"rule"`
	Description string          `json:"description,omitempty"`
	Owner       string          `json:"owner,omitempty"`
	Runbook     string          `json:"runbook,omitempty"`
	Unit        string          `json:"unit,omitempty"`
	Method      string          `json:"method,omitempty"`
	Sensitivity string          `json:"sensitivity,omitempty"`
	Time        time.Time       `json:"time"`
	Granularity time.Duration   `json:"granularity"`
	Location    string          `json:"location,omitempty"`
	Value       jsonFloat       `json:"value"`
	Expected    jsonFloat       `json:"expected"`
	Lower       jsonFloat       `json:"lower"`
	Upper       jsonFloat       `json:"upper"`
	Score       jsonFloat       `json:"score"`
	Direction   string          `json:"direction,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	Query       string          `json:"query,omitempty"`
	History     []storedPoint   `json:"history,omitempty"`
	Channel     string          `json:"channel,omitempty"`
	Started     time.Time       `json:"started,omitzero"`
	Explanation json.RawMessage `json:"explanation,omitempty"`
}

type storedPoint struct {
	Time     time.Time `json:"t"`
	Value    jsonFloat `json:"v"`
	Expected jsonFloat `json:"e"`
	Lower    jsonFloat `json:"l"`
	Upper    jsonFloat `json:"u"`
}

// jsonFloat is a float64 that encodes NaN and ±Inf as strings.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte(`"` + strconv.FormatFloat(v, 'g', -1, 64) + `"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("number %s: %w", b, err)
	}
	*f = jsonFloat(v)
	return nil
}

// encodeAlert stores a as a delivery payload. An explanation that does not
// marshal is left out rather than losing the alert.
func encodeAlert(a notifiers.Alert) (json.RawMessage, error) {
	s := storedAlert{
		ID: a.ID, State: a.State, Rule: a.Rule, Description: a.Description, Owner: a.Owner,
		Runbook: a.Runbook, Unit: a.Unit, Method: a.Method, Sensitivity: a.Sensitivity,
		Time: a.Time, Granularity: a.Granularity,
		Value: jsonFloat(a.Value), Expected: jsonFloat(a.Expected), Lower: jsonFloat(a.Lower),
		Upper: jsonFloat(a.Upper), Score: jsonFloat(a.Score),
		Direction: a.Direction, Reason: a.Reason, Query: a.Query,
		Channel: a.Channel, Started: a.Started,
	}
	if a.Location != nil {
		s.Location = a.Location.String()
	}
	for _, h := range a.History {
		s.History = append(s.History, storedPoint{h.Time, jsonFloat(h.Value), jsonFloat(h.Expected), jsonFloat(h.Lower), jsonFloat(h.Upper)})
	}
	s.Explanation = explanationJSON(a.Explanation)
	return json.Marshal(s)
}

// explanationJSON returns x as JSON, nil when there is none or it does not
// marshal.
func explanationJSON(x *notifiers.Explanation) json.RawMessage {
	if x == nil {
		return nil
	}
	b, err := json.Marshal(x)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}

// decodeAlert reads a payload written by encodeAlert. The explanation
// comes back as plain data.
func decodeAlert(raw json.RawMessage) (notifiers.Alert, error) {
	var s storedAlert
	if err := json.Unmarshal(raw, &s); err != nil {
		return notifiers.Alert{}, fmt.Errorf("decode alert: %w", err)
	}
	a := notifiers.Alert{
		ID: s.ID, State: s.State, Rule: s.Rule, Description: s.Description, Owner: s.Owner,
		Runbook: s.Runbook, Unit: s.Unit, Method: s.Method, Sensitivity: s.Sensitivity,
		Time: s.Time, Granularity: s.Granularity, Location: time.UTC,
		Value: float64(s.Value), Expected: float64(s.Expected), Lower: float64(s.Lower),
		Upper: float64(s.Upper), Score: float64(s.Score),
		Direction: s.Direction, Reason: s.Reason, Query: s.Query,
		Channel: s.Channel, Started: s.Started,
	}
	if s.Location != "" {
		loc, err := time.LoadLocation(s.Location)
		if err != nil {
			return a, fmt.Errorf("decode alert: zone %q: %w", s.Location, err)
		}
		a.Location = loc
	}
	a.Time = a.Time.In(a.Location)
	for _, h := range s.History {
		a.History = append(a.History, notifiers.HistoryPoint{Time: h.Time.In(a.Location), Value: float64(h.Value),
			Expected: float64(h.Expected), Lower: float64(h.Lower), Upper: float64(h.Upper)})
	}
	if len(s.Explanation) > 0 {
		var x notifiers.Explanation
		if err := json.Unmarshal(s.Explanation, &x); err != nil {
			return a, fmt.Errorf("decode alert: explanation: %w", err)
		}
		a.Explanation = &x
	}
	return a, nil
}
