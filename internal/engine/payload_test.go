package engine

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"vigil/notifiers"
)

func TestAlertPayloadRoundTrip(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	check(t, err)
	in := notifiers.Alert{
		ID: "orders@2024-03-04T00:00:00Z", Key: "dropped: set from the delivery", State: notifiers.Firing, Rule: "orders",
		Description: "Completed orders", Owner: "@growth", Runbook: "https://wiki/orders", Unit: "$",
		Method: "seasonal (weekly, 8 seasons)", Sensitivity: "high",
		Time: at("2024-03-04T00:00:00Z").In(tokyo), Granularity: time.Hour, Location: tokyo,
		Value: 40, Expected: 100, Lower: math.Inf(-1), Upper: math.NaN(), Score: 0.97,
		Direction: "down", Reason: "60% below", Query: "SELECT 1",
		History:     []notifiers.HistoryPoint{{Time: at("2024-03-03T23:00:00Z").In(tokyo), Value: math.NaN(), Expected: 100, Lower: 90, Upper: math.Inf(1)}},
		Explanation: map[string]any{"sentence": "country=BR accounts for 81% of the drop"},
	}
	raw, err := encodeAlert(in)
	check(t, err)
	out, err := decodeAlert(raw)
	check(t, err)
	if out.Location.String() != "Asia/Tokyo" || !out.Time.Equal(in.Time) || out.Time.Location().String() != "Asia/Tokyo" {
		t.Errorf("time %s in %s, want %s in Asia/Tokyo", out.Time, out.Location, in.Time)
	}
	if !math.IsInf(out.Lower, -1) || !math.IsNaN(out.Upper) || !math.IsNaN(out.History[0].Value) || !math.IsInf(out.History[0].Upper, 1) {
		t.Errorf("special numbers lost: lower %v upper %v history %+v", out.Lower, out.Upper, out.History[0])
	}
	if string(out.Explanation.(json.RawMessage)) != `{"sentence":"country=BR accounts for 81% of the drop"}` {
		t.Errorf("explanation = %s", out.Explanation)
	}
	// Everything else comes back as it went in, but the key.
	in.Key, in.Lower, in.Upper, in.History, in.Explanation, in.Time, in.Location = "", 0, 0, nil, nil, time.Time{}, nil
	out.Lower, out.Upper, out.History, out.Explanation, out.Time, out.Location = 0, 0, nil, nil, time.Time{}, nil
	if !reflect.DeepEqual(in, out) {
		t.Errorf("decodeAlert(encodeAlert(a)) = %+v\nwant %+v", out, in)
	}
	if _, err := decodeAlert([]byte(`{"location": "Mars/Olympus"}`)); err == nil {
		t.Errorf("decodeAlert(unknown zone) = nil error")
	}
	if _, err := decodeAlert([]byte(`{"value": "lots"}`)); err == nil {
		t.Errorf("decodeAlert(bad number) = nil error")
	}
}

// TestUnmarshalableExplanation: an explanation that cannot be encoded is
// left out, and the alert still goes.
func TestUnmarshalableExplanation(t *testing.T) {
	raw, err := encodeAlert(notifiers.Alert{ID: "x", Explanation: func() {}})
	check(t, err)
	out, err := decodeAlert(raw)
	if err != nil || out.Explanation != nil || out.ID != "x" {
		t.Errorf("decodeAlert = %+v, %v; want the alert without explanation", out, err)
	}
}
