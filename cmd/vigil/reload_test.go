package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"vigil/internal/state"
)

// logLines collects a daemon's JSON log lines as they come.
type logLines struct {
	mu    sync.Mutex
	lines []map[string]any
	raw   strings.Builder
	done  chan struct{}
}

// startLogged starts vigil run in dir, reading its logs as they come.
func startLogged(t *testing.T, dir string, env ...string) (*exec.Cmd, *logLines) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "run", "--config", "vigil.yaml", "--listen", "127.0.0.1:0", "--log-format", "json", "--log-level", "debug")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"VIGIL_TEST_MAIN=1", "TZ=UTC"}, env...)...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l := &logLines{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			var m map[string]any
			_ = json.Unmarshal(sc.Bytes(), &m)
			l.mu.Lock()
			l.lines = append(l.lines, m)
			l.raw.WriteString(sc.Text() + "\n")
			l.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, l
}

// wait waits up to 30s for a line with msg (and the given fields) after
// the first from lines and returns its index.
func (l *logLines) wait(t *testing.T, from int, msg string, fields map[string]string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for i := from; i < len(l.lines); i++ {
			if m := l.lines[i]; m["msg"] == msg && matches(m, fields) {
				l.mu.Unlock()
				return i
			}
		}
		l.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no log %q %v within 30s; logs:\n%s", msg, fields, l.text())
	return 0
}

func matches(m map[string]any, fields map[string]string) bool {
	for k, v := range fields {
		if s, _ := m[k].(string); s != v {
			if got, err := json.Marshal(m[k]); err != nil || string(got) != v {
				return false
			}
		}
	}
	return true
}

func (l *logLines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw.String()
}

// TestReloadOnSIGHUP reloads a running daemon: a broken rules file is
// refused and the old rules keep running; a good one adds and removes
// rules without a restart.
func TestReloadOnSIGHUP(t *testing.T) {
	dir := crashConfig(t)
	rules := filepath.Join(dir, "rules", "r.yaml")
	write(t, rules, "metrics:\n  - {name: orders, table: orders, timestamp: ts, value: sum(amount), detect: {method: seasonal, seasonality: daily, history: 14d}}\n")
	cmd, logs := startLogged(t, dir, "VIGIL_TEST_WEBHOOK=http://127.0.0.1:1/")
	at := logs.wait(t, 0, "starting", map[string]string{"rules": "1"})

	write(t, rules, "metrics:\n  - {name: orders, colour: blue, table: orders, timestamp: ts, value: count()}\n")
	check(t, cmd.Process.Signal(syscall.SIGHUP))
	at = logs.wait(t, at, "reload refused; the running config stays", nil)
	if err := logs.lines[at]["err"].(string); !strings.Contains(err, "r.yaml:2:") || !strings.Contains(err, "colour: unknown key") {
		t.Errorf("reload refused with %q, want the file, line and key", err)
	}

	write(t, rules, `metrics:
  - {name: peak, table: orders, timestamp: ts, value: max(amount), detect: {method: seasonal, seasonality: daily, history: 14d}}
  - {name: hours, table: orders, timestamp: ts, value: count(), detect: {method: seasonal, seasonality: daily, history: 14d}}
`)
	check(t, cmd.Process.Signal(syscall.SIGHUP))
	refused := at
	at = logs.wait(t, at, "reloaded", nil)
	line := logs.lines[at]
	if got := strings.Join(strs(line["added"]), ","); got != "peak,hours" || strings.Join(strs(line["removed"]), ",") != "orders" {
		t.Errorf("reload added %v, removed %v; want peak,hours and orders", line["added"], line["removed"])
	}
	for _, rule := range []string{"peak", "hours"} {
		logs.wait(t, refused, "evaluated", map[string]string{"rule": rule})
	}
	check(t, cmd.Process.Signal(syscall.SIGTERM))
	if err := cmd.Wait(); err != nil {
		t.Fatalf("vigil run after SIGTERM: %v; logs:\n%s", err, logs.text())
	}
	<-logs.done
	if strings.Contains(logs.text(), `"level":"ERROR","msg":"evaluation failed"`) {
		t.Errorf("an evaluation failed:\n%s", logs.text())
	}
	s, err := state.Open(filepath.Join(dir, "state.db"), state.Options{Timeout: -1})
	check(t, err)
	defer s.Close()
	incs, err := s.ListIncidents(state.IncidentFilter{Rule: "orders"})
	if err != nil || len(incs) != 1 || incs[0].State != state.Resolved {
		t.Fatalf("incidents of the removed rule = %+v (%v), want one resolved", incs, err)
	}
	ds, err := s.Deliveries(incs[0].ID)
	if err != nil || len(ds) != 2 || ds[1].Event != state.EventResolve {
		t.Errorf("deliveries of the removed rule's incident = %+v (%v), want open then resolve", ds, err)
	}
	if _, known, _ := s.Rule("orders"); known {
		t.Errorf("the removed rule's progress is still kept")
	}
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRunRefusesDamagedState: a state file that is not one is named, left
// untouched, and vigil exits 1 without evaluating anything.
func TestRunRefusesDamagedState(t *testing.T) {
	dir := crashConfig(t)
	t.Setenv("VIGIL_TEST_WEBHOOK", "http://127.0.0.1:1/")
	junk := []byte("this is not a state file, but it is 4096 bytes long" + strings.Repeat(".", 4045))
	path := filepath.Join(dir, "state.db")
	check(t, os.WriteFile(path, junk, 0o600))
	out, errOut, code := vigil(t, dir, "run", "--config", "vigil.yaml", "--listen", "127.0.0.1:0")
	if code != exitConfig || out != "" {
		t.Errorf("vigil run = %d, stdout %q; want 1 and nothing", code, out)
	}
	for _, want := range []string{"state file state.db is damaged", "it was left untouched", "mv state.db state.db.damaged"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if got, err := os.ReadFile(path); err != nil || !slices.Equal(got, junk) {
		t.Errorf("state file changed (%v)", err)
	}
}
