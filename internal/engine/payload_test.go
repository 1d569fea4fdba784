package engine

import (
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
		History: []notifiers.HistoryPoint{{Time: at("2024-03-03T23:00:00Z").In(tokyo), Value: math.NaN(), Expected: 100, Lower: 90, Upper: math.Inf(1)}},
		Explanation: &notifiers.Explanation{Sentence: "country=BR accounts for 81% of the drop", Verdict: "explained",
			Contributors: []notifiers.Contributor{{Segment: []notifiers.SegmentValue{{Dimension: "country", Value: "BR"}}, Actual: 1, Expected: 2, Delta: -1, Share: 0.81}}},
		Channel: "#growth", Started: at("2024-03-03T22:00:00Z"),
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
	if !reflect.DeepEqual(out.Explanation, in.Explanation) {
		t.Errorf("explanation = %+v, want %+v", out.Explanation, in.Explanation)
	}
	if !out.Started.Equal(in.Started) {
		t.Errorf("started = %s, want %s", out.Started, in.Started)
	}
	in.Started, out.Started = time.Time{}, time.Time{}
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
	raw, err := encodeAlert(notifiers.Alert{ID: "x", Explanation: &notifiers.Explanation{
		Contributors: []notifiers.Contributor{{Share: math.NaN()}}}})
	check(t, err)
	out, err := decodeAlert(raw)
	if err != nil || out.Explanation != nil || out.ID != "x" {
		t.Errorf("decodeAlert = %+v, %v; want the alert without explanation", out, err)
	}
}
