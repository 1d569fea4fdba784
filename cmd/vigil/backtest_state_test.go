package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/internal/state"
)

// backtestNoHang runs vigil backtest with args in dir and fails the test if
// it does not return within two minutes: a state file held by a daemon
// must never make it wait for the daemon.
func backtestNoHang(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		out, errOut, code := vigil(t, dir, append([]string{"backtest"}, args...)...)
		done <- result{out, errOut, code}
	}()
	select {
	case r := <-done:
		return r.out, r.errOut, r.code
	case <-time.After(2 * time.Minute):
		t.Fatal("vigil backtest hangs while the state file is held")
	}
	return "", "", 0
}

// holdState opens the state file in dir for writing, as a running daemon
// does, until the test ends.
func holdState(t *testing.T, dir string) *state.Store {
	t.Helper()
	return holdStateAt(t, filepath.Join(dir, "vigil-state.db"))
}

// emptyTemp points the backtest's temporary files at a folder of the test
// and returns it, to check that the copy of the state is removed.
func emptyTemp(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	return tmp
}

func checkEmpty(t *testing.T, dir string) {
	t.Helper()
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("the backtest left %s in the temporary folder", left[0].Name())
	}
}

// TestBacktestFeedbackFromSnapshot runs the backtest while a daemon holds
// the state file: it reads the feedback from the daemon's snapshot, says
// how old that is, and leaves the state file, held by the daemon,
// byte for byte as it was.
func TestBacktestFeedbackFromSnapshot(t *testing.T) {
	dir := writeBacktestConfig(t)
	recordFeedback(t, dir)
	s := holdState(t, dir)
	snap := filepath.Join(dir, "vigil-state.db.snapshot")
	if _, err := s.CopyTo(snap); err != nil {
		t.Fatal(err)
	}
	// Said after the snapshot, so not in it: the report must not count it.
	must(t, s.AddFeedback(state.Feedback{Rule: "orders", Start: utc("2024-03-06T10:00:00Z"), End: utc("2024-03-06T11:00:00Z"),
		Kind: state.NotAnomaly, By: "dee", At: utc("2024-03-09T13:00:00Z")}))
	written := time.Now().Add(-3*time.Hour - 5*time.Minute)
	must(t, os.Chtimes(snap, written, written))
	live, snapSum := fileSum(t, s.Path()), fileSum(t, snap)
	tmp := emptyTemp(t)

	out, errOut, code := backtestNoHang(t, dir, "--config", "vigil.yaml", "--rule", "orders", "--from", "2024-03-01", "--to", "2024-03-08")
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr %q", code, errOut)
	}
	asOf := "as of " + clock(written, time.Now()) + ", 3 h ago, from the daemon's snapshot vigil-state.db.snapshot"
	if want := "vigil backtest: note: the state file vigil-state.db is in use by a running vigil daemon; feedback " + asOf; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want it to contain %q", errOut, want)
	}
	if want := "Feedback people gave in Slack on buckets of the range, " + asOf + ", and whether"; !strings.Contains(out, want) {
		t.Errorf("stdout lacks %q:\n%s", want, out)
	}
	if got, want := feedbackLine(out, "orders"), "orders 4 3 1 0 1 1 1 mark left out"; !strings.HasPrefix(got, want) {
		t.Errorf("feedback %q, want it to start %q (the snapshot's, not the mark given since)\n%s", got, want, out)
	}
	if fileSum(t, s.Path()) != live {
		t.Errorf("the backtest changed the state file the daemon holds")
	}
	if fileSum(t, snap) != snapSum {
		t.Errorf("the backtest changed the snapshot")
	}
	checkEmpty(t, tmp)
	if err := s.SetLastJudged("orders", utc("2024-03-08T00:00:00Z")); err != nil {
		t.Errorf("the daemon cannot write after the backtest: %v", err)
	}
}

// TestBacktestSnapshotBroken: a daemon holds the state file and its
// snapshot is damaged. The backtest still replays, and says both.
func TestBacktestSnapshotBroken(t *testing.T) {
	dir := writeBacktestConfig(t)
	recordFeedback(t, dir)
	holdState(t, dir)
	must(t, os.WriteFile(filepath.Join(dir, "vigil-state.db.snapshot"), []byte("not a database, but long enough to be read as one........"), 0o600))
	out, errOut, code := backtestNoHang(t, dir, "--config", "vigil.yaml", "--rule", "orders", "--from", "2024-03-01", "--to", "2024-03-08")
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr %q", code, errOut)
	}
	for _, want := range []string{
		"note: the state file vigil-state.db is in use by a running vigil daemon, so the report leaves out Slack feedback",
		"its snapshot vigil-state.db.snapshot could not be read either: ",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q, want it to contain %q", errOut, want)
		}
	}
	if want := "Feedback: not read, the state file vigil-state.db is in use by a running vigil daemon."; !strings.Contains(out, want) {
		t.Errorf("stdout lacks %q:\n%s", want, out)
	}
	if len(alertBuckets(out)) != 3 {
		t.Errorf("the replay's alerts are missing:\n%s", out)
	}
}

func TestAgo(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0 s"},
		{40 * time.Second, "40 s"},
		{59*time.Second + 999*time.Millisecond, "59 s"},
		{time.Minute, "1 min"},
		{59 * time.Minute, "59 min"},
		{3*time.Hour + 5*time.Minute, "3 h"},
		{47 * time.Hour, "47 h"},
		{50 * time.Hour, "2 days"},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			if got := ago(tt.d); got != tt.want {
				t.Errorf("ago(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestClock(t *testing.T) {
	now := time.Date(2024, 3, 9, 14, 5, 52, 0, time.Local)
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"today", now.Add(-40 * time.Second), "14:05:12"},
		{"yesterday", now.Add(-24 * time.Hour), "2024-03-08 14:05:52"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clock(tt.t, now); got != tt.want {
				t.Errorf("clock(%v) = %q, want %q", tt.t, got, tt.want)
			}
		})
	}
}

// alertTimes returns the bucket column of rule's alert lines.
func alertTimes(out, rule string) []string {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(rule) + ` +(\d{4}-\d\d-\d\d \d\d:\d\d \w+) +\d`)
	var got []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		got = append(got, m[1])
	}
	return got
}

// TestRunKeepsSnapshotForBacktest runs the real daemon on a state file
// with feedback: while it runs, the backtest reads the feedback from the
// daemon's snapshot, and a clean stop leaves a last snapshot behind.
func TestRunKeepsSnapshotForBacktest(t *testing.T) {
	dir := writeBacktestConfig(t)
	recordFeedback(t, dir)
	live, snap := filepath.Join(dir, "vigil-state.db"), filepath.Join(dir, "vigil-state.db.snapshot")
	cmd, logs := daemon(t, dir)
	deadline := time.Now().Add(time.Minute)
	for {
		_, serr := os.Stat(snap)
		r, lerr := state.OpenReadOnly(live, state.Options{Timeout: -1})
		if lerr == nil {
			r.Close() // a reader would keep the daemon out
		}
		if serr == nil && errors.Is(lerr, state.ErrLocked) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no snapshot while the daemon holds the state file after a minute (%v, %v); logs:\n%s", serr, lerr, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, errOut, code := backtestNoHang(t, dir, "--config", "vigil.yaml", "--rule", "orders", "--from", "2024-03-01", "--to", "2024-03-08")
	stopAt := time.Now()
	stop(t, cmd, logs)
	if code != exitOK {
		t.Fatalf("backtest exit %d, want 0; stderr %q", code, errOut)
	}
	if want := "from the daemon's snapshot vigil-state.db.snapshot"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want it to contain %q", errOut, want)
	}
	if got, want := feedbackLine(out, "orders"), "orders 4 3 1 0 1 1 1 mark left out"; !strings.HasPrefix(got, want) {
		t.Errorf("feedback %q, want it to start %q\n%s", got, want, out)
	}
	info, err := os.Stat(snap)
	if err != nil {
		t.Fatalf("no snapshot after the daemon stopped: %v", err)
	}
	if info.ModTime().Before(stopAt.Truncate(time.Second)) {
		t.Errorf("snapshot written at %v, before the stop at %v: the daemon wrote none on shutdown", info.ModTime(), stopAt)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("state file: %v", err)
	}
}
