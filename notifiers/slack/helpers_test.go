package slack

import (
	"math"
	"strings"
	"time"

	"vigil/notifiers"
)

// t0 is the anomalous bucket of the sample alerts.
var t0 = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)

func ptr(x float64) *float64 { return &x }

// history is n hourly buckets ending at end: a daily wave around base,
// expected on the wave, with the band ±10%; values from at(i) when set.
func history(end time.Time, n int, base float64, at func(i int, t time.Time, wave float64) float64) []notifiers.HistoryPoint {
	h := make([]notifiers.HistoryPoint, n)
	for i := range h {
		t := end.Add(-time.Duration(n-1-i) * time.Hour)
		wave := base * (1 + 0.3*math.Sin(2*math.Pi*float64(t.Hour())/24))
		v := wave * (1 + 0.02*math.Sin(float64(i)))
		if at != nil {
			v = at(i, t, wave)
		}
		h[i] = notifiers.HistoryPoint{Time: t, Value: v, Expected: wave, Lower: wave * 0.9, Upper: wave * 1.1}
	}
	return h
}

// dropAlert is orders 27% down at 14:00 with drill-down.
func dropAlert() notifiers.Alert {
	h := history(t0, 48, 4000, nil)
	last := &h[len(h)-1]
	last.Value, last.Expected, last.Lower, last.Upper = 3210, 4400, 3900, 4900
	return notifiers.Alert{
		ID: "orders@2026-03-02T14:00:00Z", State: notifiers.Firing, Rule: "orders", Description: "Completed orders",
		Owner: "@growth-oncall", Runbook: "https://wiki.example.com/runbooks/orders",
		Method: "seasonal (weekly, 8 seasons)", Sensitivity: "medium",
		Time: t0, Granularity: time.Hour, Location: time.UTC,
		Value: 3210, Expected: 4400, Lower: 3900, Upper: 4900, Score: 0.71, Direction: "down",
		Reason: "3,210 is below the normal range 3,900 to 4,900", History: h,
		Explanation: &notifiers.Explanation{
			Sentence: "Orders were 3,210 at 14:00 UTC, 27% below the expected 4,400. country=BR accounts for 81% of the drop, mostly platform=android.",
			Verdict:  "explained",
			Contributors: []notifiers.Contributor{
				{Segment: []notifiers.SegmentValue{{Dimension: "country", Value: "BR"}}, Actual: 610, Expected: 1574, Delta: -964, Share: 0.81},
				{Segment: []notifiers.SegmentValue{{Dimension: "country", Value: "BR"}, {Dimension: "platform", Value: "android"}}, Actual: 240, Expected: 1020, Delta: -780, Share: 0.66},
				{Segment: []notifiers.SegmentValue{{Dimension: "country", Value: "MX"}}, Actual: 505, Expected: 612, Delta: -107, Share: 0.09},
			},
		},
	}
}

// riseAlert is revenue up without drill-down.
func riseAlert() notifiers.Alert {
	h := history(t0, 12, 52000, nil)
	last := &h[len(h)-1]
	last.Value = 81250
	return notifiers.Alert{
		ID: "revenue@2026-03-02T14:00:00Z", State: notifiers.Firing, Rule: "revenue", Unit: "$",
		Owner: "@finance", Method: "holt-winters", Sensitivity: "high",
		Time: t0, Granularity: time.Hour, Location: time.UTC,
		Value: 81250, Expected: last.Expected, Lower: last.Lower, Upper: last.Upper, Score: 0.82, Direction: "up",
		Reason: "81,250 is above the normal range", History: h,
	}
}

// ratioAlert is a conversion rate down, split into mix and rate effects.
func ratioAlert() notifiers.Alert {
	h := history(t0, 24, 0.032, nil)
	last := &h[len(h)-1]
	last.Value, last.Expected, last.Lower, last.Upper = 0.0241, 0.0318, 0.0290, 0.0346
	return notifiers.Alert{
		ID: "conversion_rate@2026-03-02T14:00:00Z", State: notifiers.Firing, Rule: "conversion_rate", Unit: "%",
		Owner: "@growth-oncall", Method: "seasonal (daily, 4 seasons)", Sensitivity: "medium",
		Time: t0, Granularity: time.Hour, Location: time.UTC,
		Value: 0.0241, Expected: 0.0318, Lower: 0.0290, Upper: 0.0346, Score: 0.64, Direction: "down", History: h,
		Explanation: &notifiers.Explanation{
			Sentence: "Conversion was 2.41% at 14:00 UTC, 0.77 points below the expected 3.18%. Mostly the rate fell inside platform=ios.",
			Verdict:  "partial",
			Contributors: []notifiers.Contributor{
				{Segment: []notifiers.SegmentValue{{Dimension: "platform", Value: "ios"}}, Actual: 0.021, Expected: 0.034, Delta: -0.0052, Share: 0.68, MixEffect: ptr(-0.0004), RateEffect: ptr(-0.0048)},
				{Segment: []notifiers.SegmentValue{{Dimension: "platform", Value: "web"}}, Actual: 0.027, Expected: 0.029, Delta: -0.0011, Share: 0.14, MixEffect: ptr(-0.0009), RateEffect: nil},
			},
		},
	}
}

// freshnessAlert is orders with no data for the last three hours.
func freshnessAlert() notifiers.Alert {
	h := history(t0, 24, 4000, func(i int, t time.Time, wave float64) float64 {
		if i >= 21 {
			return math.NaN()
		}
		return wave
	})
	return notifiers.Alert{
		ID: "orders-freshness@2026-03-02T12:00:00Z", State: notifiers.Firing, Rule: "orders", Description: "Completed orders",
		Owner: "@data-platform", Method: "freshness", Sensitivity: "medium",
		Time: t0, Granularity: time.Hour, Location: time.UTC,
		Value: math.NaN(), Expected: 4400, Lower: math.NaN(), Upper: math.NaN(), Score: math.NaN(),
		Reason: "no data", History: h,
	}
}

// resolvedAlert is the drop, back to normal at 17:00 after three hours.
func resolvedAlert() notifiers.Alert {
	a := dropAlert()
	end := t0.Add(3 * time.Hour)
	a.History = history(end, 48, 4000, func(i int, t time.Time, wave float64) float64 {
		switch {
		case t.Equal(t0):
			return wave * 0.7
		case t.After(t0) && t.Before(end):
			return wave * 0.85
		}
		return wave
	})
	last := a.History[len(a.History)-1]
	a.State, a.Time, a.Started = notifiers.Resolved, end, t0
	a.Value, a.Expected, a.Lower, a.Upper, a.Score = last.Value, last.Expected, last.Lower, last.Upper, 0.1
	a.Reason = "back within the normal range for 1 bucket"
	return a
}

// longAlert has names, texts and drill-down far beyond Slack's limits.
func longAlert() notifiers.Alert {
	a := dropAlert()
	long := func(s string, n int) string { return strings.Repeat(s, n) }
	a.Rule = "orders_" + long("very_long_metric_name_", 20)
	a.Description = long("A description that goes on. ", 50)
	a.Owner = "@" + long("team", 200)
	a.Runbook = "https://wiki.example.com/" + long("runbooks/", 400)
	a.Method = long("seasonal ", 500)
	a.Reason = long("<reason> & more ", 400)
	a.ID = long("id-", 1000)
	a.Explanation.Sentence = long("Orders <fell> & the BR segment explains it. ", 120)
	var cs []notifiers.Contributor
	for i := range 150 {
		cs = append(cs, notifiers.Contributor{
			Segment: []notifiers.SegmentValue{{Dimension: "campaign", Value: long("x", 2000)}, {Dimension: "n", Value: strings.Repeat("9", i%7+1)}},
			Actual:  float64(i), Expected: float64(2 * i), Delta: float64(-i), Share: 0.01,
		})
	}
	a.Explanation.Contributors = cs
	return a
}
