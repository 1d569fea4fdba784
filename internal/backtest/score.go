package backtest

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"
)

// ScoreOptions tune matching of alerts to labels.
type ScoreOptions struct {
	// Tolerance lets an alert up to this long after a window's end still
	// detect it (and not count as a false alarm), for methods that notice a
	// change a little late or labels drawn a little short.
	Tolerance time.Duration
	// From and To limit scoring to rows with From <= Time < To, to leave out
	// a warm-up; zero means unbounded. Windows outside the range are
	// ignored.
	From, To time.Time
}

// Metrics compare alerts with labelled windows.
//
// Event-based, the main numbers: each labelled event (labelled windows with
// no unlabelled row between them are one event) is a true positive (TP)
// when at least one alert falls inside it or within the tolerance after its
// end, and a false negative (FN) otherwise. Alerts outside every event form
// false alarms: a run of consecutive alerting rows is one false positive
// (FP) however long it is; a row with a missing value does not break a run.
// Precision = TP/(TP+FP), Recall = TP/(TP+FN), F1 their harmonic mean; a
// ratio with nothing to count is 1 (no alerts: precision 1).
type Metrics struct {
	TP, FP, FN            int
	Precision, Recall, F1 float64
	// Point holds the point-wise numbers, a secondary view that rewards
	// covering long events: each row with a value counts, TP if labelled
	// and alerting, FP if alerting outside every window (no tolerance),
	// FN if labelled and not alerting.
	Point PointMetrics
}

// PointMetrics are point-wise counts and ratios; see Metrics.
type PointMetrics struct {
	TP, FP, FN            int
	Precision, Recall, F1 float64
}

// Add returns the sums of m's and o's counts with the ratios recomputed
// (micro-averaging, for totals over many series).
func (m Metrics) Add(o Metrics) Metrics {
	r := Metrics{TP: m.TP + o.TP, FP: m.FP + o.FP, FN: m.FN + o.FN}
	r.Precision, r.Recall, r.F1 = ratios(r.TP, r.FP, r.FN)
	p := PointMetrics{TP: m.Point.TP + o.Point.TP, FP: m.Point.FP + o.Point.FP, FN: m.Point.FN + o.Point.FN}
	p.Precision, p.Recall, p.F1 = ratios(p.TP, p.FP, p.FN)
	r.Point = p
	return r
}

func ratios(tp, fp, fn int) (p, r, f1 float64) {
	p, r = 1, 1
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		r = float64(tp) / float64(tp+fn)
	}
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}

// Event is a labelled event and whether it was detected.
type Event struct {
	Window
	Detected bool
	First    time.Time // the first alert that detected it; zero when missed
	Rows     int       // rows with a value inside the event; 0 means it could not be detected
}

// Match is the detail behind Metrics.
type Match struct {
	Metrics
	Events      []Event  // the labelled events in time order
	FalseAlarms []Window // each run of alerts outside every event, first to last alert
}

// Score compares the anomalies in rows with the labelled windows; see
// Metrics for the definitions.
func Score(rows []Row, labels []Window, o ScoreOptions) Metrics {
	return MatchRows(rows, labels, o).Metrics
}

// MatchRows is Score with the events and false alarms behind the numbers.
func MatchRows(rows []Row, labels []Window, o ScoreOptions) Match {
	sorted := make([]Row, 0, len(rows))
	for _, r := range rows {
		if o.inRange(r.Time) {
			sorted = append(sorted, r)
		}
	}
	slices.SortStableFunc(sorted, func(a, b Row) int { return a.Time.Compare(b.Time) })
	times := make([]time.Time, len(sorted))
	marks := make([]mark, len(sorted))
	for i, r := range sorted {
		times[i] = r.Time
		marks[i] = mark{t: r.Time, alert: r.Anomaly, observed: !math.IsNaN(r.Value)}
	}
	events := mergeWindows(o.clip(labels), func(a, b Window) bool {
		i := sort.Search(len(times), func(i int) bool { return times[i].After(a.End) })
		return i == len(times) || !times[i].Before(b.Start)
	})
	m := match(marks, events, o.Tolerance, 0)
	m.Point = pointwise(marks, events)
	return m
}

func (o ScoreOptions) inRange(t time.Time) bool {
	return (o.From.IsZero() || !t.Before(o.From)) && (o.To.IsZero() || t.Before(o.To))
}

// clip drops the windows outside the scored range.
func (o ScoreOptions) clip(ws []Window) []Window {
	var out []Window
	for _, w := range ws {
		if (o.From.IsZero() || !w.End.Before(o.From)) && (o.To.IsZero() || w.Start.Before(o.To)) {
			out = append(out, w)
		}
	}
	return out
}

// mergeWindows sorts ws and merges overlapping windows and those that
// adjacent reports as having nothing between them.
func mergeWindows(ws []Window, adjacent func(a, b Window) bool) []Event {
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b Window) int {
		return cmp.Or(a.Start.Compare(b.Start), a.End.Compare(b.End))
	})
	var ev []Event
	for _, w := range ws {
		if n := len(ev); n > 0 && (!w.Start.After(ev[n-1].End) || adjacent(ev[n-1].Window, w)) {
			if w.End.After(ev[n-1].End) {
				ev[n-1].End = w.End
			}
			continue
		}
		ev = append(ev, Event{Window: w})
	}
	return ev
}

// mark is one row or alert reduced to what matching needs.
type mark struct {
	t        time.Time
	alert    bool
	observed bool
}

// match finds the detected events and the runs of false alarms in marks
// (sorted by time). A gap > 0 also ends a run of alerts more than gap
// apart, for alert lists that have no rows between alerts.
func match(marks []mark, events []Event, tol, gap time.Duration) Match {
	m := Match{Events: events}
	inRun := false
	var last time.Time
	for _, k := range marks {
		e := find(events, k.t, 0)
		if e >= 0 && k.observed {
			events[e].Rows++
		}
		if !k.alert {
			inRun = inRun && !k.observed
			continue
		}
		if e < 0 {
			e = find(events, k.t, tol)
		}
		if e >= 0 {
			if !events[e].Detected {
				events[e].Detected, events[e].First = true, k.t
			}
			inRun = false
			continue
		}
		if inRun && (gap <= 0 || k.t.Sub(last) <= gap) {
			m.FalseAlarms[len(m.FalseAlarms)-1].End = k.t
		} else {
			m.FalseAlarms = append(m.FalseAlarms, Window{Start: k.t, End: k.t})
		}
		inRun, last = true, k.t
	}
	for _, e := range events {
		if e.Detected {
			m.TP++
		} else {
			m.FN++
		}
	}
	m.FP = len(m.FalseAlarms)
	m.Precision, m.Recall, m.F1 = ratios(m.TP, m.FP, m.FN)
	return m
}

// find returns the event whose window, extended by tol after its end,
// contains t, or -1. Events are sorted and disjoint, so only the last one
// starting at or before t can.
func find(events []Event, t time.Time, tol time.Duration) int {
	i := sort.Search(len(events), func(i int) bool { return events[i].Start.After(t) }) - 1
	if i >= 0 && !t.After(events[i].End.Add(tol)) {
		return i
	}
	return -1
}

func pointwise(marks []mark, events []Event) PointMetrics {
	var p PointMetrics
	for _, k := range marks {
		if !k.observed {
			continue
		}
		lab := find(events, k.t, 0) >= 0
		switch {
		case lab && k.alert:
			p.TP++
		case k.alert:
			p.FP++
		case lab:
			p.FN++
		}
	}
	p.Precision, p.Recall, p.F1 = ratios(p.TP, p.FP, p.FN)
	return p
}

// ScoreAlerts compares alerts (of one rule) with labelled windows, for
// replays that report alerts rather than rows. Alerts at most step apart
// form one run; labelled windows at most step apart form one event. Only
// the event-based numbers are set: point-wise ones need every judged row.
func ScoreAlerts(alerts []Alert, step time.Duration, labels []Window, o ScoreOptions) Metrics {
	var marks []mark
	for _, a := range alerts {
		if o.inRange(a.Time) {
			marks = append(marks, mark{t: a.Time, alert: true, observed: true})
		}
	}
	slices.SortStableFunc(marks, func(a, b mark) int { return a.t.Compare(b.t) })
	events := mergeWindows(o.clip(labels), func(a, b Window) bool { return b.Start.Sub(a.End) <= step })
	return match(marks, events, o.Tolerance, max(step, 1)).Metrics
}
