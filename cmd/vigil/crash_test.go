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
	cmd := exec.Command(exe, "run", "--config", "vigil.yaml", "--log-format", "json", "--log-level", "debug")
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
// key each, and no key was accepted twice, except that a kill between a
// notifier accepting a delivery and vigil recording it repeats that one
// delivery, with the same key, which the receiver drops.
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
			cmd, logs = daemon(t, dir, hook)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			for recv.Unique() < 2 && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
			}
			stop(t, cmd, logs)
			checkDelivered(t, dir, recv, step)
			if t.Failed() {
				t.Logf("second run:\n%s", logs)
			}
		})
	}
}

// checkDelivered checks the state file and the receiver after the second
// run.
func checkDelivered(t *testing.T, dir string, recv *notifierstest.Receiver, step string) {
	t.Helper()
	s, err := state.Open(filepath.Join(dir, "state.db"), state.Options{Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.Pending(0)
	if err != nil || len(pending) != 0 {
		t.Errorf("pending deliveries = %d (%v), want none", len(pending), err)
	}
	incs, err := s.ListIncidents(state.IncidentFilter{State: state.Firing})
	if err != nil || len(incs) != 2 {
		t.Fatalf("firing incidents = %d (%v), want 2", len(incs), err)
	}
	var keys []string
	for _, inc := range incs {
		ds, err := s.Deliveries(inc.ID)
		if err != nil || len(ds) != 1 || ds[0].State != state.DeliverySent {
			t.Fatalf("deliveries of %s = %+v (%v), want one sent", inc.ID, ds, err)
		}
		keys = append(keys, ds[0].Key)
	}
	if got := recv.Unique(); got != 2 {
		t.Errorf("receiver acted on %d deliveries, want 2", got)
	}
	total := 0
	for _, k := range keys {
		n := recv.Count(k)
		total += n
		if n < 1 || n > 2 || (n == 2 && step != "sent") {
			t.Errorf("delivery %s accepted %d times after a crash at %s", k, n, step)
		}
	}
	want := 2
	if step == "sent" {
		want = 3 // the one delivery the crash left unrecorded went again, with its key
	}
	if total != want {
		t.Errorf("receiver accepted %d requests, want %d", total, want)
	}
	for _, req := range recv.Requests() {
		if req.JSON["state"] != "firing" || req.Key == "" {
			t.Errorf("request %s: state %v, want firing with a key", req.Key, req.JSON["state"])
		}
	}
}
