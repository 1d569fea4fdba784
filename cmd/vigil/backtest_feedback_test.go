package main

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/engine"
	"vigil/internal/state"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// putIncident records an incident of orders over the hours given, as the
// daemon records one that fired.
func putIncident(t *testing.T, s *state.Store, series string, hours ...string) string {
	t.Helper()
	var pts []time.Time
	for _, h := range hours {
		pts = append(pts, utc(h))
	}
	inc := state.Incident{Rule: "orders", Series: series, State: state.Resolved, Start: pts[0], LastBucket: pts[len(pts)-1],
		ResolvedAt: pts[len(pts)-1].Add(time.Hour), Breaches: len(pts), Points: pts}
	if err := s.PutIncident(&inc); err != nil {
		t.Fatal(err)
	}
	return inc.ID
}

// recordFeedback fills the config's state file in dir with what people
// said in Slack, through the engine's own actions where it has one:
//   - the real incident of 5 March (13:00 to 15:00 UTC, which the replay
//     alerts on) marked not an anomaly, and acknowledged;
//   - one quiet hour on 2 March marked not an anomaly;
//   - one quiet hour on 3 March confirmed as an anomaly;
//   - one hour before the range, and one on a single series, marked not
//     an anomaly: neither counts.
func recordFeedback(t *testing.T, dir string) {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "vigil.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := state.Open(cfg.State, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	at := func() time.Time { return utc("2024-03-09T12:00:00Z") }
	actions := engine.NewStoreActions(s, cfg, at)
	real := putIncident(t, s, "", "2024-03-05T13:00:00Z", "2024-03-05T14:00:00Z", "2024-03-05T15:00:00Z")
	must(t, actions.Acknowledge(ctx, real, "ana"))
	must(t, actions.NotAnomaly(ctx, real, "ana"))
	must(t, actions.NotAnomaly(ctx, putIncident(t, s, "", "2024-03-02T10:00:00Z"), "ben"))
	must(t, actions.NotAnomaly(ctx, putIncident(t, s, "", "2024-02-25T10:00:00Z"), "ben"))
	must(t, actions.NotAnomaly(ctx, putIncident(t, s, "country=BR", "2024-03-04T10:00:00Z"), "ben"))
	hourEnd := func(b time.Time) time.Time { return b.Add(time.Hour) }
	if _, err := s.SetFeedback(putIncident(t, s, "", "2024-03-03T08:00:00Z"), state.Confirmed, "cy", at(), hourEnd); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fileSum returns a digest of the file at path.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// feedbackLine returns the feedback row of rule, runs of spaces collapsed.
func feedbackLine(out, rule string) string {
	_, table, _ := strings.Cut(out, "\nRULE    MARKED NOT ANOMALY")
	for line := range strings.Lines(table) {
		if strings.HasPrefix(line, rule+" ") {
			return strings.Join(strings.Fields(line), " ")
		}
	}
	return ""
}

func TestBacktestRulesFeedback(t *testing.T) {
	dir := writeBacktestConfig(t)
	recordFeedback(t, dir)
	before := fileSum(t, filepath.Join(dir, "vigil-state.db"))
	args := []string{"backtest", "--config", "vigil.yaml", "--rule", "orders", "--from", "2024-03-01", "--to", "2024-03-08", "--labels", "labels.json"}
	out, errOut, code := vigil(t, dir, args...)
	if code != exitOK {
		t.Fatalf("vigil %v = %d, stderr %q", args, code, errOut)
	}
	goldenFile(t, filepath.Join(testdata(t), "rules_feedback.golden"), out)
	// 4 buckets marked not an anomaly, of which the 3 of the incident
	// still alert; 1 confirmed, not alerting; 1 acknowledged incident,
	// alerting; the mark on one series is left out.
	want := "orders 4 3 1 0 1 1 1 mark left out: given on one series, and the replay judges the whole metric"
	if got := feedbackLine(out, "orders"); got != want {
		t.Errorf("feedback %q, want %q\n%s", got, want, out)
	}
	for _, want := range []string{
		"hint: orders: 3 of 4 buckets marked not an anomaly would still alert, at most 78% ",
		"hint: orders: 1 of 1 bucket confirmed as an anomaly would not alert",
		"separate from --labels",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(errOut, "note:") {
		t.Errorf("stderr %q, want no note: the feedback was read", errOut)
	}
	if after := fileSum(t, filepath.Join(dir, "vigil-state.db")); after != before {
		t.Errorf("backtest changed the state file")
	}
	// Another range sees other feedback: from 4 March, the hour of
	// 2 March and the one of 3 March are out.
	out, _, _ = vigil(t, dir, "backtest", "--config", "vigil.yaml", "--rule", "orders", "--from", "2024-03-04", "--to", "2024-03-08")
	if got, want := feedbackLine(out, "orders"), "orders 3 3 0 0 1 1 1 mark left out"; !strings.HasPrefix(got, want) {
		t.Errorf("feedback from 4 March %q, want it to start %q", got, want)
	}
}

// TestBacktestRulesFeedbackLocked runs the backtest while a daemon holds
// the state file: it must finish, replay as usual, and say that the
// feedback was left out, without harming the daemon's store.
func TestBacktestRulesFeedbackLocked(t *testing.T) {
	dir := writeBacktestConfig(t)
	recordFeedback(t, dir)
	s, err := state.Open(filepath.Join(dir, "vigil-state.db"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		out, errOut, code := vigil(t, dir, "backtest", "--config", "vigil.yaml", "--rule", "orders", "--from", "2024-03-01", "--to", "2024-03-08")
		done <- result{out, errOut, code}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("backtest hangs while the daemon holds the state file")
	}
	if r.code != exitOK {
		t.Fatalf("exit %d, want 0; stderr %q", r.code, r.errOut)
	}
	if want := "vigil backtest: note: the state file vigil-state.db is in use by a running vigil daemon"; !strings.Contains(r.errOut, want) {
		t.Errorf("stderr %q, want it to contain %q", r.errOut, want)
	}
	if want := "Feedback: not read, the state file vigil-state.db is in use by a running vigil daemon."; !strings.Contains(r.out, want) {
		t.Errorf("stdout lacks %q:\n%s", want, r.out)
	}
	if len(alertBuckets(r.out)) != 3 {
		t.Errorf("the replay's alerts are missing:\n%s", r.out)
	}
	// The daemon's store is unharmed and still its own.
	if err := s.SetLastJudged("orders", utc("2024-03-08T00:00:00Z")); err != nil {
		t.Errorf("the daemon cannot write after the backtest: %v", err)
	}
	if fb, err := s.Feedback("orders", time.Time{}, time.Time{}); err != nil || len(fb) != 5 {
		t.Errorf("Feedback = %d records, %v; want the 5 written", len(fb), err)
	}
}

// TestBacktestFeedbackHintHolds applies each setting the hint proposes to
// the rule and replays it again: none of the buckets marked not an
// anomaly may still alert, and the confirmed ones kept must match.
func TestBacktestFeedbackHintHolds(t *testing.T) {
	dir := writeBacktestConfig(t)
	recordFeedback(t, dir)
	args := []string{"backtest", "--config", "vigil.yaml", "--rule", "orders", "--from", "2024-03-01", "--to", "2024-03-08"}
	out, _, _ := vigil(t, dir, args...)
	settings := hintSettings(out)
	if len(settings) < 2 {
		t.Fatalf("hint proposes %q; want settings to try:\n%s", settings, out)
	}
	for _, setting := range settings {
		t.Run(setting, func(t *testing.T) {
			key, value, _ := strings.Cut(setting, ": ")
			rules := strings.Replace(backtestRulesFile, "history: 7d}", "history: 7d, "+key+": "+value+"}", 1)
			must(t, os.WriteFile(filepath.Join(dir, "rules", "orders.yaml"), []byte(rules), 0o644))
			out, errOut, code := vigil(t, dir, args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if got := strings.Fields(feedbackLine(out, "orders")); len(got) < 3 || got[1] != "4" || got[2] != "0" {
				t.Errorf("with %s the feedback row is %q, want 4 marked and 0 still alerting:\n%s", setting, got, out)
			}
		})
	}
}

// hintSettings returns the settings the first hint proposes.
func hintSettings(out string) []string {
	_, tail, ok := strings.Cut(out, "from expected; try ")
	if !ok {
		return nil
	}
	tail, _, _ = strings.Cut(tail, "\n")
	tail = strings.ReplaceAll(tail, " or ", ", ")
	var settings []string
	for part := range strings.SplitSeq(tail, ", ") {
		part, _, _ = strings.Cut(part, " (")
		settings = append(settings, part)
	}
	return settings
}
