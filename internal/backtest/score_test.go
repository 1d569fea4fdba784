package backtest

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)

func hr(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// scoreRows makes n hourly rows; alert holds the alerting hours and missing
// the hours without a value.
func scoreRows(n int, alert, missing []int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Time: hr(i), Value: 1, Expected: 1}
	}
	for _, h := range alert {
		rows[h].Anomaly = true
	}
	for _, h := range missing {
		rows[h].Value = math.NaN()
	}
	return rows
}

func win(a, b int) Window { return Window{Start: hr(a), End: hr(b)} }

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		name       string
		alert      []int
		missing    []int
		labels     []Window
		opts       ScoreOptions
		tp, fp, fn int
		point      [3]int // point-wise TP, FP, FN
	}{
		{name: "hit, miss and a false alarm", alert: []int{11, 30},
			labels: []Window{win(10, 12), win(20, 22)}, tp: 1, fp: 1, fn: 1, point: [3]int{1, 1, 5}},
		{name: "a run of false alarms is one", alert: []int{30, 31, 32, 40},
			tp: 0, fp: 2, fn: 0, point: [3]int{0, 4, 0}},
		{name: "a missing value does not break a run", alert: []int{30, 32}, missing: []int{31},
			fp: 1, point: [3]int{0, 2, 0}},
		{name: "a quiet row breaks a run", alert: []int{30, 32}, fp: 2, point: [3]int{0, 2, 0}},
		{name: "alerts inside a window do not count as false", alert: []int{10, 11, 12, 13},
			labels: []Window{win(10, 12)}, tp: 1, fp: 1, point: [3]int{3, 1, 0}},
		{name: "tolerance after the end", alert: []int{13, 14, 15},
			labels: []Window{win(10, 12)}, opts: ScoreOptions{Tolerance: 2 * time.Hour}, tp: 1, fp: 1, point: [3]int{0, 3, 3}},
		{name: "no tolerance before the start", alert: []int{9},
			labels: []Window{win(10, 12)}, opts: ScoreOptions{Tolerance: 2 * time.Hour}, fp: 1, fn: 1, point: [3]int{0, 1, 3}},
		{name: "labelled points in a row are one event", alert: []int{12},
			labels: []Window{win(10, 10), win(11, 11), win(12, 12), win(14, 14)}, tp: 1, fn: 1, point: [3]int{1, 0, 3}},
		{name: "a gap of missing rows still separates events", alert: []int{10},
			missing: []int{11}, labels: []Window{win(10, 10), win(12, 12)}, tp: 1, fn: 1, point: [3]int{1, 0, 1}},
		{name: "overlapping windows merge", alert: []int{14},
			labels: []Window{win(10, 13), win(12, 15)}, tp: 1, point: [3]int{1, 0, 5}},
		{name: "window in the warm-up is ignored", alert: []int{5, 30},
			labels: []Window{win(4, 6), win(29, 31)}, opts: ScoreOptions{From: hr(24)}, tp: 1, point: [3]int{1, 0, 2}},
		{name: "range end", alert: []int{30, 45},
			labels: []Window{win(29, 31), win(44, 46)}, opts: ScoreOptions{To: hr(40)}, tp: 1, point: [3]int{1, 0, 2}},
		{name: "window without rows cannot be found", labels: []Window{win(100, 101)}, fn: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := MatchRows(scoreRows(48, tc.alert, tc.missing), tc.labels, tc.opts)
			if m.TP != tc.tp || m.FP != tc.fp || m.FN != tc.fn {
				t.Errorf("Score = TP %d FP %d FN %d, want %d %d %d (events %+v, false alarms %v)",
					m.TP, m.FP, m.FN, tc.tp, tc.fp, tc.fn, m.Events, m.FalseAlarms)
			}
			if got := [3]int{m.Point.TP, m.Point.FP, m.Point.FN}; got != tc.point {
				t.Errorf("point-wise = %v, want %v", got, tc.point)
			}
		})
	}
}

func TestScoreRatios(t *testing.T) {
	m := Score(scoreRows(48, []int{11, 30}, nil), []Window{win(10, 12), win(20, 22)}, ScoreOptions{})
	if m.Precision != 0.5 || m.Recall != 0.5 || m.F1 != 0.5 {
		t.Errorf("P/R/F1 = %v %v %v, want 0.5 each", m.Precision, m.Recall, m.F1)
	}
	none := Score(scoreRows(10, nil, nil), nil, ScoreOptions{})
	if none.Precision != 1 || none.Recall != 1 || none.F1 != 1 {
		t.Errorf("no alerts, no labels: P/R/F1 = %v %v %v, want 1 each", none.Precision, none.Recall, none.F1)
	}
	silent := Score(scoreRows(48, nil, nil), []Window{win(10, 12)}, ScoreOptions{})
	if silent.Precision != 1 || silent.Recall != 0 || silent.F1 != 0 {
		t.Errorf("no alerts, one label: P/R/F1 = %v %v %v, want 1 0 0", silent.Precision, silent.Recall, silent.F1)
	}
	sum := m.Add(silent)
	if sum.TP != 1 || sum.FP != 1 || sum.FN != 2 || math.Abs(sum.Recall-1.0/3) > 1e-12 || sum.Point.TP != 1 || sum.Point.FN != 8 {
		t.Errorf("Add = %+v, want TP 1 FP 1 FN 2, recall 1/3, point TP 1 FN 8", sum)
	}
}

func TestMatchDetail(t *testing.T) {
	m := MatchRows(scoreRows(48, []int{11, 12, 30, 31}, []int{20}), []Window{win(20, 21), win(10, 12)}, ScoreOptions{})
	if len(m.Events) != 2 || !m.Events[0].Detected || !m.Events[0].First.Equal(hr(11)) || m.Events[0].Rows != 3 {
		t.Errorf("first event = %+v, want detected first at hour 11 with 3 rows", m.Events[0])
	}
	if m.Events[1].Detected || m.Events[1].Rows != 1 {
		t.Errorf("second event = %+v, want missed with 1 row", m.Events[1])
	}
	if len(m.FalseAlarms) != 1 || m.FalseAlarms[0] != win(30, 31) {
		t.Errorf("false alarms = %v, want hours 30 to 31", m.FalseAlarms)
	}
}

func TestScoreAlerts(t *testing.T) {
	var alerts []Alert
	for _, h := range []int{11, 30, 31, 33} {
		alerts = append(alerts, Alert{Rule: "r", Time: hr(h)})
	}
	m := ScoreAlerts(alerts, time.Hour, []Window{win(10, 10), win(11, 12), win(20, 22)}, ScoreOptions{})
	// 10-12 is one event (adjacent windows), 20-22 missed; 30-31 one run, 33 another.
	if m.TP != 1 || m.FN != 1 || m.FP != 2 {
		t.Errorf("ScoreAlerts = TP %d FP %d FN %d, want 1 2 1", m.TP, m.FP, m.FN)
	}
}
