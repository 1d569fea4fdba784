package backtest

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/detector"
)

var feedbackDay = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

func hour(h int) time.Time { return feedbackDay.Add(time.Duration(h) * time.Hour) }

// dayVerdicts returns verdicts on the 24 hours of feedbackDay, anomalous at the hours
// given.
func dayVerdicts(anomalous ...int) []detector.Point {
	var out []detector.Point
	for h := range 24 {
		out = append(out, detector.Point{Time: hour(h), Value: 100, Expected: 100, Anomaly: slices.Contains(anomalous, h)})
	}
	return out
}

func hoursOf(ps []detector.Point) []int {
	var out []int
	for _, p := range ps {
		out = append(out, int(p.Time.Sub(feedbackDay)/time.Hour))
	}
	return out
}

func TestCompareFeedback(t *testing.T) {
	grid := Grid{First: feedbackDay, Last: hour(23), Step: time.Hour, Loc: time.UTC}
	notAnomaly := func(from, to int) Mark { return Mark{Start: hour(from), End: hour(to), At: hour(30)} }
	confirmed := func(from, to int) Mark {
		return Mark{Start: hour(from), End: hour(to), Confirmed: true, At: hour(30)}
	}
	tests := []struct {
		name                  string
		marks                 []Mark
		acked                 []Acked
		notAnomaly, confirmed int
		stillAlert, caught    []int
		ackedN, ackedAlertN   int
		verdicts              []detector.Point
	}{
		{name: "none", verdicts: dayVerdicts(5)},
		{name: "not an anomaly, alerting or not", verdicts: dayVerdicts(5, 6, 7),
			marks:      []Mark{notAnomaly(5, 7), notAnomaly(10, 11)},
			notAnomaly: 3, stillAlert: []int{5, 6}},
		{name: "confirmed, caught or missed", verdicts: dayVerdicts(14),
			marks:     []Mark{confirmed(14, 15), confirmed(20, 21)},
			confirmed: 2, caught: []int{14}},
		{name: "marks cut to the grid", verdicts: dayVerdicts(0, 23),
			marks:      []Mark{notAnomaly(-3, 1), notAnomaly(23, 26), notAnomaly(-5, -4)},
			notAnomaly: 2, stillAlert: []int{0, 23}},
		{name: "the later mark on a bucket counts", verdicts: dayVerdicts(8),
			marks:     []Mark{{Start: hour(8), End: hour(9), At: hour(25)}, {Start: hour(8), End: hour(10), Confirmed: true, At: hour(26)}},
			confirmed: 2, caught: []int{8}},
		{name: "a bucket without a verdict counts and does not alert", verdicts: dayVerdicts(3)[:3],
			marks:      []Mark{notAnomaly(3, 4)},
			notAnomaly: 1},
		{name: "acknowledged incidents", verdicts: dayVerdicts(5),
			acked:  []Acked{{Buckets: []time.Time{hour(4), hour(5)}}, {Buckets: []time.Time{hour(12)}}, {Buckets: []time.Time{hour(-2)}}},
			ackedN: 2, ackedAlertN: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareFeedback(tt.verdicts, tt.marks, tt.acked, grid)
			if got.NotAnomaly != tt.notAnomaly || got.Confirmed != tt.confirmed || got.Acked != tt.ackedN || got.AckedAlert != tt.ackedAlertN {
				t.Errorf("CompareFeedback = %d not anomaly, %d confirmed, %d of %d acked alerting; want %d, %d, %d of %d",
					got.NotAnomaly, got.Confirmed, got.AckedAlert, got.Acked, tt.notAnomaly, tt.confirmed, tt.ackedAlertN, tt.ackedN)
			}
			if h := hoursOf(got.StillAlert); !slices.Equal(h, tt.stillAlert) {
				t.Errorf("StillAlert at hours %v, want %v", h, tt.stillAlert)
			}
			if h := hoursOf(got.Caught); !slices.Equal(h, tt.caught) {
				t.Errorf("Caught at hours %v, want %v", h, tt.caught)
			}
		})
	}
}

// TestCompareFeedbackCalendarDays counts a daily bucket of 23 hours (the
// spring clock change in Berlin) as one bucket.
func TestCompareFeedbackCalendarDays(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	d := func(day int) time.Time { return time.Date(2024, 3, day, 0, 0, 0, 0, berlin) }
	var verdicts []detector.Point
	for i := 28; i <= 31; i++ {
		verdicts = append(verdicts, detector.Point{Time: d(i), Value: 1, Expected: 1, Anomaly: i == 31})
	}
	grid := Grid{First: d(28), Last: d(31), Step: 24 * time.Hour, Loc: berlin}
	marks := []Mark{{Start: d(30).UTC(), End: d(32).UTC()}} // as the store gives them back
	got := CompareFeedback(verdicts, marks, nil, grid)
	if got.NotAnomaly != 2 || len(got.StillAlert) != 1 || !got.StillAlert[0].Time.Equal(d(31)) {
		t.Errorf("CompareFeedback = %d marked, still alerting %v; want 2, the 31st", got.NotAnomaly, got.StillAlert)
	}
}

func TestFeedbackHints(t *testing.T) {
	pt := func(value, expected, z float64) detector.Point {
		return detector.Point{Value: value, Expected: expected, Z: z, Anomaly: true}
	}
	falseAlarms := []detector.Point{pt(112, 100, 4.6), pt(90, 100, -4.2)}
	caught := []detector.Point{pt(50, 100, -8), pt(112.5, 100, 6)}
	tests := []struct {
		name string
		fb   Feedback
		t    Tuning
		want []string
	}{
		{"no feedback", Feedback{}, Tuning{Threshold: 4}, nil},
		{"nothing left to silence", Feedback{NotAnomaly: 3, Confirmed: 1, Caught: caught[:1]}, Tuning{Threshold: 4}, nil},
		{"one confirmed, missed", Feedback{Confirmed: 1}, Tuning{Threshold: 4}, []string{
			"1 of 1 bucket confirmed as an anomaly would not alert: the rule may now be too lenient for them"}},
		{"sensitivity, relative and absolute change", Feedback{NotAnomaly: 3, StillAlert: falseAlarms, Confirmed: 2, Caught: caught},
			Tuning{Threshold: 4}, []string{
				"2 of 3 buckets marked not an anomaly would still alert, at most 12% (12) from expected; " +
					"try sensitivity: low (keeps 2 of the 2 confirmed buckets it alerts on), min_rel_delta: 13% (keeps 1 of 2) or min_delta: 13 (keeps 1 of 2)"}},
		{"an explicit threshold", Feedback{NotAnomaly: 2, StillAlert: falseAlarms}, Tuning{Threshold: 4, Explicit: true}, []string{
			"2 of 2 buckets marked not an anomaly would still alert, at most 12% (12) from expected; try threshold: 4.6, min_rel_delta: 13% or min_delta: 13"}},
		{"beyond low", Feedback{NotAnomaly: 1, StillAlert: []detector.Point{pt(300, 100, 7.25)}}, Tuning{Threshold: 4}, []string{
			"1 of 1 bucket marked not an anomaly would still alert, at most 200% (200) from expected; try threshold: 7.3, min_rel_delta: 201% or min_delta: 210"}},
		{"a method without z", Feedback{NotAnomaly: 1, StillAlert: falseAlarms[:1]}, Tuning{}, []string{
			"1 of 1 bucket marked not an anomaly would still alert, at most 12% (12) from expected; try min_rel_delta: 13% or min_delta: 13"}},
		{"no expected value", Feedback{NotAnomaly: 1, StillAlert: []detector.Point{pt(300, math.NaN(), math.Inf(1))}}, Tuning{}, []string{
			"1 of 1 bucket marked not an anomaly would still alert; no sensitivity, min_delta or min_rel_delta silences them all (the method gives no expected value): review the method's own settings"}},
		{"confirmed but missed", Feedback{Confirmed: 3, Caught: caught[:1]}, Tuning{Threshold: 4}, []string{
			"2 of 3 buckets confirmed as anomalies would not alert: the rule may now be too lenient for them"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.fb.Hints(tt.t)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Hints =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestAbove(t *testing.T) {
	tests := []struct{ x, want float64 }{
		{12, 13}, {337.2, 340}, {340, 350}, {99.5, 100}, {0.0042, 0.0043}, {1, 1.1}, {9.99, 10},
	}
	for _, tt := range tests {
		if got := above(tt.x); got != tt.want || !(got > tt.x) {
			t.Errorf("above(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
}
