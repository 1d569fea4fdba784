package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/backtest"
	"vigil/internal/engine"
	"vigil/internal/humanize"
)

// backtestRules replays the config's rules over the range of the flags.
func backtestRules(f *backtestFlags, stdout, stderr io.Writer, log *slog.Logger) int {
	now := time.Now()
	from, to, err := f.replayRange(now)
	if err != nil {
		fmt.Fprintln(stderr, "vigil backtest:", err)
		return exitConfig
	}
	labels, err := readLabels(f.labels)
	if err != nil {
		fmt.Fprintln(stderr, "vigil backtest:", err)
		return exitConfig
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	if err := checkRules(cfg, f.rules); err != nil {
		fmt.Fprintln(stderr, "vigil backtest:", err)
		return exitConfig
	}
	if _, err := applyShard(cfg, *f.shard); err != nil {
		fmt.Fprintln(stderr, "vigil backtest:", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The replay reads a copy of the daemon's state: feedback for the
	// report, and past incidents to keep out of baselines as the daemon does.
	st := openReplayState(cfg.State, feedbackWait)
	defer st.Close()
	e, err := engine.Build(ctx, cfg, engine.Options{Logger: log, Now: func() time.Time { return now }, Store: st.store})
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	defer e.Close()
	fb := readFeedback(st, selected(e.Rules(), f.rules), from, to, time.Now())
	if note := fb.problem(); note != "" {
		fmt.Fprintln(stderr, "vigil backtest: note:", note)
	}
	log.Info("replaying", "rules", len(selected(e.Rules(), f.rules)), "from", from.UTC().Format(time.RFC3339), "to", to.UTC().Format(time.RFC3339))
	bar := backtest.NewProgressBar(stderr, "backtest")
	results := e.Backtest(ctx, from, to, f.rules, bar.Update)
	bar.Finish()
	report := replayReport{results: results, labels: labels, feedback: &fb, tuning: tunings(cfg)}
	if err := report.write(stdout); err != nil {
		fmt.Fprintln(stderr, "vigil backtest:", err)
		return exitFailed
	}
	return replayExit(stderr, results)
}

// replayRange reads --from and --to; --to defaults to now and is never
// later, since buckets after now have not settled.
func (f *backtestFlags) replayRange(now time.Time) (from, to time.Time, err error) {
	to = now
	if f.to != "" {
		if to, err = parseWhen(f.to, now); err != nil {
			return from, to, fmt.Errorf("--to: %w", err)
		}
		if to.After(now) {
			to = now
		}
	}
	if from, err = parseWhen(f.from, to); err != nil {
		return from, to, fmt.Errorf("--from: %w", err)
	}
	if !from.Before(to) {
		return from, to, fmt.Errorf("--from %s is not before --to %s", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	return from, to, nil
}

// replayExit reports the rules that failed on stderr and returns 2 when
// any did. A rule whose history was too short to judge anything did not
// fail: the summary says so.
func replayExit(stderr io.Writer, results []engine.BacktestResult) int {
	code := exitOK
	for _, r := range results {
		if r.Err != nil && !errors.Is(r.Err, detector.ErrNotEnoughData) {
			fmt.Fprintf(stderr, "vigil backtest: rule %q: %v\n", r.Rule, r.Err)
			code = exitFailed
		}
	}
	return code
}

// selected returns the rules named in only, all when only is empty.
func selected(rules, only []string) []string {
	if len(only) == 0 {
		return rules
	}
	var out []string
	for _, r := range rules {
		if slices.Contains(only, r) {
			out = append(out, r)
		}
	}
	return out
}

// replayReport is what a replay of rules prints.
type replayReport struct {
	results  []engine.BacktestResult
	labels   *[]backtest.Window // nil without --labels
	feedback *storedFeedback    // nil when not read
	tuning   map[string]backtest.Tuning
}

// write prints the alerts, the summary per rule, and the feedback people
// gave on the rules' alerts.
func (rep replayReport) write(w io.Writer) error {
	results, labels := rep.results, rep.labels
	var alerts [][]string
	for _, r := range results {
		for _, p := range r.Alerts() {
			alerts = append(alerts, alertRow(r, p))
		}
	}
	var b strings.Builder
	if len(alerts) == 0 {
		b.WriteString("No alert would have fired.\n")
	} else {
		table(&b, []string{"RULE", "BUCKET", "VALUE", "EXPECTED", "BAND", "CHANGE", "REASON"}, alerts)
	}
	b.WriteString("\n")
	head := []string{"RULE", "BUCKETS", "JUDGED", "ALERTS", "INCIDENTS", "ALERTS/WEEK", "LONGEST INCIDENT"}
	if labels != nil {
		head = append(head, "PRECISION", "RECALL", "F1", "EVENTS FOUND", "FALSE ALARMS")
	}
	head = append(head, "NOTE")
	var rows [][]string
	for _, r := range results {
		rows = append(rows, summaryRow(r, labels))
	}
	table(&b, head, rows)
	if rep.feedback != nil {
		writeFeedback(&b, rep.feedback, results, rep.tuning, labels != nil)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// bucketTime formats a bucket's start in the rule's zone.
func bucketTime(r engine.BacktestResult, t time.Time) string {
	return t.In(r.Location).Format("2006-01-02 15:04 MST")
}

func alertRow(r engine.BacktestResult, p detector.Point) []string {
	cells := []string{r.Rule, bucketTime(r, p.Time), humanize.Number(p.Value), "-", "-", "-", strings.ReplaceAll(p.Reason, "\n", "; ")}
	if p.Judged() {
		cells[3] = humanize.Number(p.Expected)
		cells[4] = humanize.Number(p.Lower) + " – " + humanize.Number(p.Upper)
		cells[5] = change(p)
	}
	return cells
}

func summaryRow(r engine.BacktestResult, labels *[]backtest.Window) []string {
	alerts := r.Alerts()
	cells := []string{r.Rule, "-", fmt.Sprint(r.Judged()), fmt.Sprint(len(alerts)), fmt.Sprint(len(r.Incidents)), "-", "-"}
	if len(r.Points) > 0 {
		cells[1] = bucketTime(r, r.First) + " – " + bucketTime(r, r.Last)
	}
	if weeks := float64(r.Span()) / float64(7*24*time.Hour); weeks > 0 {
		cells[5] = fmt.Sprintf("%.1f", float64(len(alerts))/weeks)
	}
	if in, ok := r.Longest(); ok {
		cells[6] = humanize.Duration(in.Duration()) + " from " + bucketTime(r, in.Start)
	}
	if labels != nil {
		cells = append(cells, "-", "-", "-", "-", "-")
		if r.Err == nil {
			m := scoreReplay(r, *labels)
			n := len(cells)
			cells[n-5], cells[n-4], cells[n-3] = fmt.Sprintf("%.2f", m.Precision), fmt.Sprintf("%.2f", m.Recall), fmt.Sprintf("%.2f", m.F1)
			cells[n-2], cells[n-1] = fmt.Sprintf("%d of %d", m.TP, m.TP+m.FN), fmt.Sprint(m.FP)
		}
	}
	return append(cells, replayNote(r))
}

// scoreReplay scores a rule's verdicts against the labels, from its first
// judged bucket to the end of the range.
func scoreReplay(r engine.BacktestResult, labels []backtest.Window) backtest.Metrics {
	rows := make([]backtest.Row, 0, len(r.Points))
	var from time.Time
	for _, p := range r.Points {
		if from.IsZero() && p.Judged() {
			from = p.Time
		}
		rows = append(rows, backtest.Row{Time: p.Time, Value: p.Value, Expected: p.Expected,
			Lower: p.Lower, Upper: p.Upper, Anomaly: p.Anomaly})
	}
	return backtest.Score(rows, labels, backtest.ScoreOptions{From: from, To: r.First.Add(r.Span())})
}

// replayNote says why a rule has no verdicts.
func replayNote(r engine.BacktestResult) string {
	switch {
	case errors.Is(r.Err, detector.ErrNotEnoughData):
		return "not enough history to judge any bucket"
	case r.Err != nil:
		return "failed: " + strings.ReplaceAll(r.Err.Error(), "\n", "; ")
	case len(r.Points) == 0:
		return "no bucket in the range had settled and was evaluated"
	case r.Judged() == 0:
		return "not enough history to judge any bucket"
	}
	return ""
}

// table writes rows under head, aligned, without trailing spaces.
func table(w *strings.Builder, head []string, rows [][]string) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	for line := range strings.Lines(b.String()) {
		w.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
}
