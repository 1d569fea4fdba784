package engine_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/engine"
	"vigil/notifiers"
	"vigil/sources"
	"vigil/sources/clickhouse"
	"vigil/sources/duckdb"
	"vigil/sources/sourcestest"
)

// completeNow is when the completeness scenarios are evaluated: five
// minutes past the hour, as a schedule of "5 * * * *" runs.
var completeNow = time.Date(2024, 4, 10, 12, 5, 0, 0, time.UTC)

// scenario is an arrival world and what an hourly count with a one-hour
// delay must report on it, with completeness and with the delay alone.
type scenario struct {
	name  string
	world sourcestest.ArrivalWorld
	wait  time.Duration // completeness.max_wait
	// with completeness: the bucket judged, and the alert's direction and
	// the start of its reason ("" for no alert)
	bucket         time.Time
	direction      string
	reason         string
	delayDirection string // the alert with the delay alone
}

func scenarios() []scenario {
	world := func(lag time.Duration) sourcestest.ArrivalWorld {
		return sourcestest.ArrivalWorld{From: completeNow.Add(-9*24*time.Hour - 12*time.Hour), Now: completeNow,
			PerHour: 200, Lag: lag, Seed: 7}
	}
	half, stopped, drop := world(2*time.Hour), world(20*time.Minute), world(20*time.Minute)
	stopped.Stop = completeNow.Add(-6*time.Hour - 30*time.Minute)
	drop.Drop, drop.DropShare = completeNow.Add(-8*time.Hour), 0.4
	return []scenario{
		{name: "newest buckets half arrived", world: half, wait: 12 * time.Hour, delayDirection: "down"},
		{name: "data stopped arriving", world: stopped, wait: 6 * time.Hour, bucket: time.Date(2024, 4, 10, 5, 0, 0, 0, time.UTC),
			direction: "none", reason: "data for 2024-04-10 05:00 UTC is late: no rows have arrived since 2024-04-10 05:3", delayDirection: "down"},
		{name: "a drop is still a drop", world: drop, wait: 6 * time.Hour, bucket: time.Date(2024, 4, 10, 10, 0, 0, 0, time.UTC),
			direction: "down", reason: "", delayDirection: "down"},
	}
}

// runScenario evaluates the scenario's rule over table in src, with
// completeness and with the delay alone, and checks both.
func runScenario(t *testing.T, sc scenario, src sources.Source, table string) {
	t.Helper()
	with := completeOnce(t, src, table, sc.wait)
	if with.res.Err != nil {
		t.Fatalf("with completeness: %v", with.res.Err)
	}
	settled := engine.LatestSettled(completeNow, time.Hour, time.Hour, time.UTC)
	switch {
	case sc.bucket.IsZero() && !with.res.Bucket.Before(settled):
		t.Errorf("with completeness: judged %s, want a bucket before %s, whose data is still arriving", with.res.Bucket, settled)
	case !sc.bucket.IsZero() && !with.res.Bucket.Equal(sc.bucket):
		t.Errorf("with completeness: judged %s, want %s", with.res.Bucket, sc.bucket)
	}
	switch alerts := with.rec.sent(); {
	case sc.direction == "" && len(alerts) > 0:
		t.Errorf("with completeness: alert %q (%s), want none", alerts[0].Reason, alerts[0].Direction)
	case sc.direction != "" && len(alerts) != 1:
		t.Errorf("with completeness: %d alerts, want 1 (%s)", len(alerts), sc.direction)
	case sc.direction != "":
		a := alerts[0]
		t.Logf("alert: %s", a.Reason)
		if a.Direction != sc.direction || !strings.HasPrefix(a.Reason, sc.reason) || !a.Time.Equal(sc.bucket) {
			t.Errorf("with completeness: alert on %s, %s, %q; want %s, %s, %q…", a.Time, a.Direction, a.Reason, sc.bucket, sc.direction, sc.reason)
		}
	}
	without := completeOnce(t, src, table, 0)
	if without.res.Err != nil {
		t.Fatalf("delay alone: %v", without.res.Err)
	}
	alerts := without.rec.sent()
	if !without.res.Bucket.Equal(settled) || len(alerts) != 1 || alerts[0].Direction != sc.delayDirection {
		t.Errorf("delay alone: judged %s with alerts %+v, want %s with one alert %s", without.res.Bucket, alerts, settled, sc.delayDirection)
	}
}

// outcome is one evaluation and what it notified.
type outcome struct {
	res engine.Result
	rec *recorder
}

// completeOnce evaluates an hourly count of table with a seasonal (daily,
// high sensitivity) detector, a one-hour delay, empty buckets counted as
// zero and, when wait is set, completeness from ingested_at.
func completeOnce(t *testing.T, src sources.Source, table string, wait time.Duration) outcome {
	t.Helper()
	m := config.Metric{Name: "orders", Table: table, Timestamp: "ts", Value: "count()", Granularity: time.Hour,
		Delay: time.Hour, Location: time.UTC, FillZero: true, Detect: config.Detect{History: 7 * 24 * time.Hour}}
	if wait > 0 {
		m.Completeness = config.Completeness{Arrival: "ingested_at", Min: 0.95, MaxWait: wait}
	}
	rec := &recorder{}
	det := detector.Seasonal{Period: 24 * time.Hour, Seasons: 7, Guards: detector.Guards{Threshold: detector.ThresholdHigh}}
	rule := engine.Rule{Metric: m, SourceName: "src", Source: src, Detector: det, Notifiers: []notifiers.Notifier{rec}}
	res := engine.New([]engine.Rule{rule}, engine.Options{}).Once(context.Background(), completeNow, nil)
	return outcome{res: res[0], rec: rec}
}

type recorder struct {
	mu     sync.Mutex
	alerts []notifiers.Alert
}

func (r *recorder) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a)
	return false, nil
}

func (r *recorder) sent() []notifiers.Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notifiers.Alert(nil), r.alerts...)
}

func TestCompletenessDuckDB(t *testing.T) {
	ctx := context.Background()
	src, err := duckdb.Open(ctx, duckdb.Options{Init: []string{"SET GLOBAL threads = 2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i, sc := range scenarios() {
		table := fmt.Sprintf("arrivals_%d", i)
		if err := src.CreateTable(ctx, table, sourcestest.ArrivalColumns, sourcestest.ArrivalTypes, sourcestest.ArrivalRows(sc.world.Rows())); err != nil {
			t.Fatal(err)
		}
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc, src, table) })
	}
}

func TestCompletenessClickHouse(t *testing.T) {
	dsn := sourcestest.ClickHouseDSN(t)
	ctx := context.Background()
	src, err := clickhouse.Open(ctx, clickhouse.Options{DSN: dsn, QueryTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i, sc := range scenarios() {
		table := fmt.Sprintf("vigil_complete_%d_%d", os.Getpid(), i)
		stmts, err := sourcestest.ClickHouseTable(table, sourcestest.ArrivalColumns, sourcestest.ArrivalTypes, sourcestest.ArrivalRows(sc.world.Rows()))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range append([]string{"DROP TABLE IF EXISTS " + table}, stmts...) {
			if err := src.Conn().Exec(ctx, st); err != nil {
				t.Fatalf("clickhouse: %.200s: %v", st, err)
			}
		}
		defer src.Conn().Exec(context.Background(), "DROP TABLE IF EXISTS "+table)
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc, src, table) })
	}
}
