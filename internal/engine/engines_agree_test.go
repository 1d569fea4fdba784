package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/demo"
	"vigil/internal/engine"
	"vigil/sources"
	"vigil/sources/clickhouse"
	"vigil/sources/duckdb"
	"vigil/sources/sourcestest"
)

// TestEnginesAgreeOnDemo runs the example rules over the same demo data in
// DuckDB and in ClickHouse and expects the same series and the same verdicts:
// a rule means the same thing whichever warehouse holds the data. It also
// checks the verdicts themselves: the injected latest incident fires on
// orders and nothing else fires.
func TestEnginesAgreeOnDemo(t *testing.T) {
	dsn := sourcestest.ClickHouseDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	anchor := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	cfg, err := config.Load(filepath.Join("..", "..", "deploy", "examples", "vigil.yaml"))
	if err != nil {
		t.Fatalf("load example config: %v", err)
	}
	tables := demo.Generate(anchor)

	duck, err := duckdb.Open(ctx, duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	for _, tb := range tables {
		if err := duck.CreateTable(ctx, tb.Name, tb.Columns, tb.Types, tb.Rows); err != nil {
			t.Fatalf("duckdb: load %s: %v", tb.Name, err)
		}
	}

	ch, err := clickhouse.Open(ctx, clickhouse.Options{DSN: dsn, QueryTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	db := fmt.Sprintf("vigil_agree_%d", os.Getpid())
	exec := func(q string) {
		t.Helper()
		if err := ch.Conn().Exec(ctx, q); err != nil {
			t.Fatalf("clickhouse: %.200s: %v", q, err)
		}
	}
	exec("CREATE DATABASE IF NOT EXISTS " + db)
	defer ch.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
	for _, tb := range tables {
		stmts, err := sourcestest.ClickHouseTable(db+"."+tb.Name, tb.Columns, tb.Types, tb.Rows)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range stmts {
			exec(q)
		}
	}

	now := anchor.Add(5 * time.Minute)
	onDuck := once(ctx, t, cfg, duck, "", now)
	onCH := once(ctx, t, cfg, ch, db+".", now)
	if len(onDuck) != len(cfg.Metrics) || len(onCH) != len(cfg.Metrics) {
		t.Fatalf("results: %d on DuckDB, %d on ClickHouse, want %d each", len(onDuck), len(onCH), len(cfg.Metrics))
	}
	for i := range onDuck {
		d, c := onDuck[i], onCH[i]
		t.Run(d.Rule, func(t *testing.T) {
			if d.Err != nil || c.Err != nil {
				t.Fatalf("errors: DuckDB %v, ClickHouse %v", d.Err, c.Err)
			}
			if diff := sourcestest.Diff(c.Series, d.Series); diff != "" {
				t.Errorf("ClickHouse series differs from DuckDB's:\n%s", diff)
			}
			if len(d.Points) != len(c.Points) {
				t.Fatalf("judged %d points on ClickHouse, %d on DuckDB", len(c.Points), len(d.Points))
			}
			for j := range d.Points {
				pd, pc := d.Points[j], c.Points[j]
				if pd.Anomaly != pc.Anomaly || !sourcestest.Close(pd.Expected, pc.Expected) || !sourcestest.Close(pd.Score, pc.Score) {
					t.Errorf("bucket %s: ClickHouse anomaly=%v expected=%v score=%v, DuckDB anomaly=%v expected=%v score=%v",
						pd.Time.Format(time.RFC3339), pc.Anomaly, pc.Expected, pc.Score, pd.Anomaly, pd.Expected, pd.Score)
				}
			}
			wantAnomaly := d.Rule == "orders" // the demo's latest incident
			if got := d.Verdict() == engine.VerdictAnomaly; got != wantAnomaly {
				p, _ := d.Latest()
				t.Errorf("verdict = %v (value %v, expected %v, band %v..%v), want anomaly=%v",
					d.Verdict(), p.Value, p.Expected, p.Lower, p.Upper, wantAnomaly)
			}
		})
	}
}

// once evaluates every metric of cfg against src as of now, with tables
// prefixed by prefix.
func once(ctx context.Context, t *testing.T, cfg *config.Config, src sources.Source, prefix string, now time.Time) []engine.Result {
	t.Helper()
	var rules []engine.Rule
	for _, m := range cfg.Metrics {
		m.Table = prefix + m.Table
		period := 7 * 24 * time.Hour
		if m.Detect.Seasonality == "daily" {
			period = 24 * time.Hour
		}
		dir, err := detector.ParseDirection(m.Detect.Direction)
		if err != nil {
			t.Fatal(err)
		}
		th, err := detector.ParseSensitivity(m.Detect.Sensitivity)
		if err != nil {
			t.Fatal(err)
		}
		det := detector.Seasonal{Period: period, Seasons: int(m.Detect.History / period),
			Guards: detector.Guards{Direction: dir, Threshold: th, MinDelta: m.Detect.MinDelta, MinVolume: m.Detect.MinVolume}}
		rules = append(rules, engine.Rule{Metric: m, SourceName: "src", Source: src, Detector: det})
	}
	return engine.New(rules, engine.Options{}).Once(ctx, now, nil)
}
