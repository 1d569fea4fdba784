package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
	"vigil/sources/duckdb"
)

// countingObserver counts what the engine reports.
type countingObserver struct {
	mu          sync.Mutex
	evaluations map[string]int // by result
	byRule      map[string]int
	queryErrors int
	deliveries  map[string]int // by result
	failures    map[string]int // by reason
	reloads     []bool
	forgotten   []string
}

func newObserver() *countingObserver {
	return &countingObserver{evaluations: map[string]int{}, byRule: map[string]int{}, deliveries: map[string]int{}, failures: map[string]int{}}
}

func (o *countingObserver) ObserveEvaluation(rule, result string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.evaluations[result]++
	o.byRule[rule]++
}

func (o *countingObserver) QueryError(rule, source string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queryErrors++
}

func (o *countingObserver) Delivery(notifier, result string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.deliveries[result]++
}

func (o *countingObserver) DeliveryFailure(notifier, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failures[reason]++
}

func (o *countingObserver) SetFiring(string, int) {}

func (o *countingObserver) Reload(ok bool, at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reloads = append(o.reloads, ok)
}

func (o *countingObserver) ForgetRule(rule string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.forgotten = append(o.forgotten, rule)
}

func (o *countingObserver) total() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, v := range o.evaluations {
		n += v
	}
	return n
}

// fixedNow is the clock of the daemon tests: 10:30 on the day the test
// table's anomaly happens at 09:00.
var fixedNow = at("2024-03-05T10:30:00Z")

// testTable is DuckDB init SQL for hourly amounts over three weeks up to
// fixedNow, with an anomaly at 09:00.
const testTable = `CREATE TABLE orders AS SELECT ts, CASE WHEN ts = TIMESTAMP '2024-03-05 09:00:00' THEN 1000.0 ELSE 100 + hash(epoch(ts)) % 11 END AS amount FROM range(TIMESTAMP '2024-02-10 00:00:00', TIMESTAMP '2024-03-05 10:00:00', INTERVAL 1 HOUR) t(ts)`

// daemonConfig writes vigil.yaml (with extra top-level YAML) and a rules
// file with the named rules, all on the test table, and returns the
// config's path.
func daemonConfig(t *testing.T, dir, extra string, rules ...string) string {
	t.Helper()
	cfg := "sources:\n  local: {type: duckdb, init: [\"" + testTable + "\"]}\n" +
		"notifiers:\n  out: {type: console}\nrules: rules/\nstate: state.db\n" +
		"defaults: {schedule: \"@hourly\", granularity: 1h, delay: 0, detect: {seasonality: daily, history: 14d}}\n" + extra
	var b strings.Builder
	b.WriteString("metrics:\n")
	for _, r := range rules {
		b.WriteString("  - {name: " + r + ", table: orders, timestamp: ts, value: sum(amount)}\n")
	}
	writeFile(t, filepath.Join(dir, "vigil.yaml"), cfg)
	writeFile(t, filepath.Join(dir, "rules", "r.yaml"), b.String())
	return filepath.Join(dir, "vigil.yaml")
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	check(t, os.MkdirAll(filepath.Dir(path), 0o755))
	check(t, os.WriteFile(path, []byte(data), 0o644))
}

// startDaemon loads path and runs a daemon on it until the test ends.
func startDaemon(t *testing.T, path string, watch time.Duration, obs Observer) (*Daemon, chan struct{}) {
	t.Helper()
	cfg, err := config.Load(path)
	check(t, err)
	d, err := NewDaemon(context.Background(), cfg, DaemonOptions{
		Options: Options{Store: openStore(t), Now: func() time.Time { return fixedNow }, Observer: obs},
		Load:    func() (*config.Config, error) { return config.Load(path) },
		Watch:   watch,
	})
	check(t, err)
	reload := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx, reload) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v", err)
		}
		check(t, d.Close())
	})
	return d, reload
}

// eventually waits up to 10s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDaemonReload(t *testing.T) {
	dir := t.TempDir()
	path := daemonConfig(t, dir, "", "a", "b")
	obs := newObserver()
	d, reload := startDaemon(t, path, 0, obs)
	eventually(t, "both rules evaluated", func() bool { return obs.total() == 2 })
	src := d.pool.srcs["local"].src

	writeFile(t, filepath.Join(dir, "rules", "r.yaml"), "metrics:\n  - {name: a, table: orders, timestamp: ts, value: sum(amount), colour: red}\n")
	reload <- struct{}{}
	eventually(t, "the broken reload counted", func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return len(obs.reloads) == 1 })
	if got := d.Rules(); !slices.Equal(got, []string{"a", "b"}) || obs.reloads[0] {
		t.Errorf("after a broken reload: rules %v, reload ok %v; want a, b kept and a failed reload", got, obs.reloads[0])
	}

	daemonConfig(t, dir, "", "b", "c") // a removed, c added, b unchanged
	reload <- struct{}{}
	eventually(t, "the good reload counted", func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return len(obs.reloads) == 2 })
	eventually(t, "c evaluated", func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return obs.byRule["c"] == 1 })
	if got := d.Rules(); !slices.Equal(got, []string{"b", "c"}) || !obs.reloads[1] {
		t.Errorf("after a good reload: rules %v, ok %v; want b, c", got, obs.reloads[1])
	}
	if obs.byRule["b"] != 1 || !slices.Equal(obs.forgotten, []string{"a"}) {
		t.Errorf("b evaluated %d times (want 1: unchanged rules wait for their schedule); forgotten %v, want [a]", obs.byRule["b"], obs.forgotten)
	}
	if d.pool.srcs["local"].src != src {
		t.Errorf("an unchanged source was opened again")
	}

	cfg := strings.Replace(readFile(t, path), "type: duckdb,", "type: duckdb, max_concurrency: 2,", 1)
	writeFile(t, path, cfg)
	reload <- struct{}{}
	eventually(t, "the third reload counted", func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return len(obs.reloads) == 3 })
	if d.pool.srcs["local"].src == src {
		t.Errorf("a source whose settings changed was not opened again")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	check(t, err)
	return string(b)
}

// TestDaemonWatch changes a rules file under a daemon that watches: the
// new rule runs without a signal.
func TestDaemonWatch(t *testing.T) {
	dir := t.TempDir()
	path := daemonConfig(t, dir, "", "a")
	obs := newObserver()
	d, _ := startDaemon(t, path, 20*time.Millisecond, obs)
	eventually(t, "a evaluated", func() bool { return obs.total() == 1 })
	daemonConfig(t, dir, "", "a", "z")
	eventually(t, "z added by the watcher", func() bool { return slices.Equal(d.Rules(), []string{"a", "z"}) })
	eventually(t, "z evaluated", func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return obs.byRule["z"] == 1 })
}

// TestHistoryDuckDB runs an anomaly through a daemon whose config writes
// history to its DuckDB source: the table is created and holds the open
// event once, even when the write is repeated.
func TestHistoryDuckDB(t *testing.T) {
	dir := t.TempDir()
	path := daemonConfig(t, dir, "history: {source: local, table: alert_log}\n", "orders")
	obs := newObserver()
	d, _ := startDaemon(t, path, 0, obs)
	eventually(t, "history and the alert written", func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return obs.deliveries[deliverySent] == 2 })
	db := unwrap(d.pool.srcs["local"].src).(*duckdb.Source).DB()
	type row struct {
		key, event, state string
		value             float64
		resolved          *time.Time
	}
	read := func() []row {
		rows, err := db.Query("SELECT event_key, event, state, value, resolved_at FROM alert_log ORDER BY event_key")
		check(t, err)
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			check(t, rows.Scan(&r.key, &r.event, &r.state, &r.value, &r.resolved))
			out = append(out, r)
		}
		return out
	}
	got := read()
	if len(got) != 1 || got[0].event != "open" || got[0].state != "firing" || got[0].value != 1000 || got[0].resolved != nil {
		t.Fatalf("history rows = %+v, want one open firing at 1000", got)
	}
	deliveries, err := d.store.Deliveries("orders@2024-03-05T09:00:00Z")
	check(t, err)
	var hd = -1
	for i, dl := range deliveries {
		if dl.Notifier == historyNotifier {
			hd = i
		}
	}
	if hd < 0 {
		t.Fatalf("no history delivery among %+v", deliveries)
	}
	w := d.cur.historyWriter
	if _, err := w.send(context.Background(), deliveries[hd]); err != nil {
		t.Fatalf("writing the row again: %v", err)
	}
	if again := read(); len(again) != 1 {
		t.Errorf("after writing again: %d rows, want 1", len(again))
	}
	if ok, err := w.Delivered(context.Background(), got[0].key); !ok || err != nil {
		t.Errorf("Delivered(%s) = %v, %v; want true", got[0].key, ok, err)
	}
}

// TestDaemonChangedRuleKeepsIncident changes a firing rule's settings: it
// is evaluated again at once, keeps its incident, and says nothing new.
func TestDaemonChangedRuleKeepsIncident(t *testing.T) {
	dir := t.TempDir()
	path := daemonConfig(t, dir, "", "orders")
	obs := newObserver()
	d, reload := startDaemon(t, path, 0, obs)
	eventually(t, "the alert delivered", func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return obs.deliveries[deliverySent] == 1 })
	rules := filepath.Join(dir, "rules", "r.yaml")
	writeFile(t, rules, strings.Replace(readFile(t, rules), "value: sum(amount)", "value: sum(amount), description: Orders", 1))
	reload <- struct{}{}
	eventually(t, "orders evaluated again", func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return obs.byRule["orders"] == 2 })
	d.mu.Lock() // wait for the reload to finish
	desc := d.cfg.Metrics[0].Description
	d.mu.Unlock()
	incs, err := d.store.ListIncidents(state.IncidentFilter{Rule: "orders"})
	check(t, err)
	if len(incs) != 1 || incs[0].State != state.Firing || incs[0].Notifications != 1 {
		t.Errorf("incidents = %+v, want the one firing, notified once", incs)
	}
	if desc != "Orders" {
		t.Errorf("running rule has description %q, want the new one", desc)
	}
}
