package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"vigil/internal/state"
	"vigil/notifiers/notifierstest"
)

// envCrashAt names the step at which a daemon started by the tests kills
// itself with SIGKILL: evaluated (before the evaluation is recorded),
// enqueued (after the incident and its deliveries are committed), sent (a
// notifier accepted a delivery, not yet marked sent) or marked (after it
// is marked sent).
const envCrashAt = "VIGIL_TEST_CRASH_AT"

func init() {
	if step := os.Getenv(envCrashAt); step != "" && os.Getenv("VIGIL_TEST_MAIN") == "1" {
		testHook = func(s string) {
			if s == step {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
	}
}

// anomalyInit creates a DuckDB table of hourly amounts over 20 days, ending
// with the current hour, whose last complete hour is far above the rest.
const anomalyInit = `CREATE TABLE orders AS
  SELECT ts, CASE WHEN ts = date_trunc('hour', now()::TIMESTAMP) - INTERVAL 1 HOUR THEN 1000.0
                  ELSE 100 + hash(epoch(ts)) % 11 END AS amount
  FROM range(date_trunc('hour', now()::TIMESTAMP) - INTERVAL 20 DAY, date_trunc('hour', now()::TIMESTAMP), INTERVAL 1 HOUR) t(ts)`

// crashConfig writes a config with two rules that are anomalous in the
// last complete hour, both notifying a webhook at ${VIGIL_TEST_WEBHOOK}.
func crashConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := "sources:\n  local:\n    type: duckdb\n    init: [" + quoteYAML(anomalyInit) + "]\n" +
		"notifiers:\n  hook: {type: webhook, url: \"${VIGIL_TEST_WEBHOOK}\"}\n" +
		"rules: rules/\nstate: state.db\n" +
		"defaults: {schedule: \"@hourly\", timezone: UTC, granularity: 1h, delay: 0}\n"
	rules := `metrics:
  - {name: orders, table: orders, timestamp: ts, value: sum(amount), detect: {method: seasonal, seasonality: daily, history: 14d}}
  - {name: peak, table: orders, timestamp: ts, value: max(amount), detect: {method: seasonal, seasonality: daily, history: 14d}}
`
	write(t, filepath.Join(dir, "vigil.yaml"), cfg)
	write(t, filepath.Join(dir, "rules", "r.yaml"), rules)
	return dir
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// quoteYAML writes s as a double-quoted YAML string.
func quoteYAML(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// daemon starts vigil run in dir with extra environment.
func daemon(t *testing.T, dir string, env ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "run", "--config", "vigil.yaml", "--listen", "127.0.0.1:0", "--log-format", "json", "--log-level", "debug")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"VIGIL_TEST_MAIN=1", "TZ=UTC"}, env...)...)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &logs
}

// stop sends SIGTERM and expects a clean exit.
func stop(t *testing.T, cmd *exec.Cmd, logs *bytes.Buffer) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("vigil run after SIGTERM: %v; logs:\n%s", err, logs)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("vigil run did not stop within 60s of SIGTERM; logs:\n%s", logs)
	}
}

// awayFromTheHour waits, if needed, so that the next half minute stays
// inside one hour: the two runs of a crash test must see the same last
// complete hour.
func awayFromTheHour(t *testing.T) {
	t.Helper()
	next := time.Now().Truncate(time.Hour).Add(time.Hour)
	if left := time.Until(next); left < 40*time.Second {
		t.Logf("waiting %v for the next hour", left.Round(time.Second))
		time.Sleep(left + 2*time.Second)
	}
}

// TestCrashAndRestart kills the daemon with SIGKILL at each step of
// recording and delivering an alert, starts it again, and counts what the
// webhook receiver accepted: every incident arrived, with one idempotency
// key each; a delivery went twice only when the kill came between the
// receiver accepting it and vigil recording that (the receiver drops the
// repeat by its key), and exactly those went twice.
func TestCrashAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts vigil eight times")
	}
	for _, step := range []string{"evaluated", "enqueued", "sent", "marked"} {
		t.Run(step, func(t *testing.T) {
			awayFromTheHour(t)
			recv := notifierstest.NewReceiver(t)
			dir := crashConfig(t)
			hook := "VIGIL_TEST_WEBHOOK=" + recv.URL + "/hooks/s3cret"
			cmd, logs := daemon(t, dir, hook, envCrashAt+"="+step)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("first run = %v, want killed by SIGKILL at %s; logs:\n%s", err, step, logs)
			}
			accepted := map[string]bool{}
			for _, req := range recv.Deliveries() {
				accepted[req.Key] = true
			}
			recorded := deliveryStates(t, dir)

			second, lines := startLogged(t, dir, hook)
			lines.wait(t, 0, "starting", nil)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			for recv.Unique() < 2 && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
			}
			check(t, second.Process.Signal(syscall.SIGTERM))
			if err := second.Wait(); err != nil {
				t.Fatalf("second run after SIGTERM: %v; logs:\n%s", err, lines.text())
			}
			checkDelivered(t, dir, recv, step, accepted, recorded)
			if t.Failed() {
				t.Logf("second run:\n%s", lines.text())
			}
		})
	}
}

// deliveryStates returns the state of every delivery in the state file.
func deliveryStates(t *testing.T, dir string) map[string]state.DeliveryState {
	t.Helper()
	s, err := state.Open(filepath.Join(dir, "state.db"), state.Options{Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	incs, err := s.ListIncidents(state.IncidentFilter{})
	check(t, err)
	out := map[string]state.DeliveryState{}
	for _, inc := range incs {
		ds, err := s.Deliveries(inc.ID)
		check(t, err)
		for _, d := range ds {
			out[d.Key] = d.State
		}
	}
	return out
}

// checkDelivered checks the state file and the receiver after the second
// run, given what the receiver accepted and vigil recorded by the crash.
func checkDelivered(t *testing.T, dir string, recv *notifierstest.Receiver, step string,
	accepted map[string]bool, recorded map[string]state.DeliveryState) {
	t.Helper()
	after := deliveryStates(t, dir)
	if len(after) != 2 {
		t.Fatalf("deliveries = %v, want one for each of the 2 incidents", after)
	}
	repeats := 0
	for key, st := range after {
		if st != state.DeliverySent {
			t.Errorf("delivery %s is %s, want sent", key, st)
		}
		// The first run sent what the receiver accepted; the second sends
		// what was not recorded as sent, or not recorded at all.
		want := 0
		if accepted[key] {
			want++
		}
		if recorded[key] != state.DeliverySent {
			want++
		}
		if got := recv.Count(key); got != want {
			t.Errorf("delivery %s accepted %d times, want %d (accepted before the crash: %v, recorded: %q)",
				key, got, want, accepted[key], recorded[key])
		}
		if want == 2 {
			repeats++
		}
	}
	if got := recv.Unique(); got != 2 {
		t.Errorf("receiver acted on %d deliveries, want 2", got)
	}
	// Before anything is sent nothing can go twice; a crash at sent leaves
	// at least the one delivery unrecorded; at marked, another lane's
	// delivery may have been on its way.
	switch {
	case (step == "evaluated" || step == "enqueued") && repeats > 0,
		step == "sent" && repeats == 0:
		t.Errorf("%d deliveries went twice after a crash at %s", repeats, step)
	}
	for _, req := range recv.Requests() {
		if req.Accepted && (req.JSON["state"] != "firing" || req.Key == "") {
			t.Errorf("request %s: state %v, want firing with a key", req.Key, req.JSON["state"])
		}
	}
}
