package main

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/backtest"
	"vigil/internal/engine"
	"vigil/internal/state"
)

// feedbackWait is how long backtest waits for the state file's lock. A
// running daemon holds it for as long as it runs, so waiting longer would
// only delay the replay: the daemon's snapshot is read instead.
const feedbackWait = time.Second

// storedFeedback is what the state file says about the replayed rules,
// or why it said nothing.
type storedFeedback struct {
	path  string
	err   error
	rules map[string]ruleFeedback
	// asOf says, when the feedback comes from the daemon's snapshot, how
	// old it is; snapProblem why the snapshot was not read either.
	asOf, snapProblem string
}

// ruleFeedback is what people said about one rule's alerts.
type ruleFeedback struct {
	marks    []backtest.Mark
	acked    []backtest.Acked
	segments int // marks on one series of the rule, which the replay of the whole metric does not judge
}

// readFeedback reads the feedback on rules within [from, to) from the
// replay's copy of the state.
func readFeedback(st *replayState, rules []string, from, to, now time.Time) storedFeedback {
	fb := storedFeedback{path: st.path, rules: map[string]ruleFeedback{}, asOf: st.snapshotNote(now), snapProblem: st.snapshotProblem()}
	if !st.read() {
		fb.err = st.err
		return fb
	}
	fb.err = st.store.View(func(tx *state.Tx) error {
		for _, rule := range rules {
			rf, err := ruleFeedbackOf(tx, rule, from, to)
			if err != nil {
				return fmt.Errorf("read feedback of rule %q: %w", rule, err)
			}
			fb.rules[rule] = rf
		}
		return nil
	})
	return fb
}

func ruleFeedbackOf(tx *state.Tx, rule string, from, to time.Time) (ruleFeedback, error) {
	var rf ruleFeedback
	marks, err := tx.Feedback(rule, from, to)
	if err != nil {
		return rf, err
	}
	for _, m := range marks {
		if m.Series != "" {
			rf.segments++
			continue
		}
		rf.marks = append(rf.marks, backtest.Mark{Start: m.Start, End: m.End, Confirmed: m.Kind == state.Confirmed, At: m.At})
	}
	incs, err := tx.ListIncidents(state.IncidentFilter{Rule: rule})
	if err != nil {
		return rf, err
	}
	for _, inc := range incs {
		if inc.Series != "" || !inc.Acked() {
			continue
		}
		buckets := inc.Points
		if len(buckets) == 0 {
			buckets = []time.Time{inc.Start}
		}
		rf.acked = append(rf.acked, backtest.Acked{Buckets: buckets})
	}
	return rf, nil
}

// problem says why no feedback was read, or that it comes from the
// daemon's snapshot, for stderr; "" when it was read from the state file,
// or when there is simply no state file yet.
func (fb *storedFeedback) problem() string {
	switch {
	case fb.err == nil && fb.asOf != "":
		return fmt.Sprintf("the state file %s is in use by a running vigil daemon; feedback %s (rewritten a few seconds after each change)", fb.path, fb.asOf)
	case fb.err == nil, errors.Is(fb.err, fs.ErrNotExist):
		return ""
	case errors.Is(fb.err, state.ErrLocked):
		return fmt.Sprintf("the state file %s is in use by a running vigil daemon, so the report leaves out Slack feedback and the replay keeps past incidents in the baselines; run the backtest while the daemon is stopped to include it%s", fb.path, fb.snapProblem)
	}
	return fmt.Sprintf("the report leaves out Slack feedback, and the replay keeps past incidents in the baselines: %v", fb.err)
}

// heading introduces the feedback table, or says why there is none.
func (fb *storedFeedback) heading(labels bool) string {
	switch {
	case fb.err == nil:
	case errors.Is(fb.err, fs.ErrNotExist):
		return fmt.Sprintf("Feedback: none, there is no state file %s yet (the daemon writes what people say about alerts there).", fb.path)
	case errors.Is(fb.err, state.ErrLocked):
		return fmt.Sprintf("Feedback: not read, the state file %s is in use by a running vigil daemon.", fb.path)
	default:
		return "Feedback: not read: " + strings.ReplaceAll(fb.err.Error(), "\n", "; ")
	}
	s := "Feedback people gave in Slack on buckets of the range, from " + fb.path
	if fb.asOf != "" {
		s = "Feedback people gave in Slack on buckets of the range, " + fb.asOf
	}
	s += ", and whether the rules would alert on them now"
	if labels {
		s += " (separate from --labels, which score the alerts above against the windows given)"
	}
	return s + ":"
}

// writeFeedback writes the feedback table and its hints.
func writeFeedback(b *strings.Builder, fb *storedFeedback, results []engine.BacktestResult, tuning map[string]backtest.Tuning, labels bool) {
	b.WriteString("\n" + fb.heading(labels) + "\n")
	if fb.err != nil {
		return
	}
	head := []string{"RULE", "MARKED NOT ANOMALY", "WOULD STILL ALERT", "CONFIRMED", "WOULD ALERT", "ACKED INCIDENTS", "WOULD ALERT", "NOTE"}
	var rows [][]string
	var hints []string
	for _, r := range results {
		rf := fb.rules[r.Rule]
		row, c, ok := feedbackRow(r, rf)
		rows = append(rows, row)
		if ok {
			for _, h := range c.Hints(tuning[r.Rule]) {
				hints = append(hints, "hint: "+r.Rule+": "+h)
			}
		}
	}
	table(b, head, rows)
	for _, h := range hints {
		b.WriteString(h + "\n")
	}
}

// feedbackRow compares a rule's feedback with its replay; ok is false
// when the replay has no verdicts to compare with.
func feedbackRow(r engine.BacktestResult, rf ruleFeedback) (cells []string, c backtest.Feedback, ok bool) {
	cells = []string{r.Rule, "-", "-", "-", "-", "-", "-", ""}
	var notes []string
	if rf.segments > 0 {
		notes = append(notes, plural(rf.segments, "mark", "marks")+" left out: given on one series, and the replay judges the whole metric")
	}
	if r.Err != nil || len(r.Points) == 0 {
		cells[7] = strings.Join(append(notes, "no verdicts to compare with"), "; ")
		return cells, c, false
	}
	grid := backtest.Grid{First: r.First, Last: r.Last, Step: r.Granularity, Loc: r.Location}
	c = backtest.CompareFeedback(r.Points, rf.marks, rf.acked, grid)
	cells[1], cells[2] = fmt.Sprint(c.NotAnomaly), fmt.Sprint(len(c.StillAlert))
	cells[3], cells[4] = fmt.Sprint(c.Confirmed), fmt.Sprint(len(c.Caught))
	cells[5], cells[6] = fmt.Sprint(c.Acked), fmt.Sprint(c.AckedAlert)
	cells[7] = strings.Join(notes, "; ")
	return cells, c, true
}

// zMethods are the methods whose band is expected ± threshold · scale, so
// that a point's z says which threshold would have silenced it.
var zMethods = []string{config.MethodSeasonal, config.MethodSTL, config.MethodHoltWinters}

// tunings returns what the feedback hints need of each metric's settings.
func tunings(cfg *config.Config) map[string]backtest.Tuning {
	out := map[string]backtest.Tuning{}
	for _, m := range cfg.Metrics {
		d := m.Detect
		switch th, err := detector.ParseSensitivity(d.Sensitivity); {
		case !slices.Contains(zMethods, d.Method):
		case d.Threshold > 0:
			out[m.Name] = backtest.Tuning{Threshold: d.Threshold, Explicit: true}
		case err == nil:
			out[m.Name] = backtest.Tuning{Threshold: th}
		}
	}
	return out
}
