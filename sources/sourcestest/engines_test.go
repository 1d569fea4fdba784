package sourcestest_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"vigil/detector"
	"vigil/sources"
	"vigil/sources/clickhouse"
	"vigil/sources/duckdb"
	"vigil/sources/sourcestest"
)

// TestEnginesAgree loads the same events into DuckDB and ClickHouse and
// checks that every case returns the same series from both.
func TestEnginesAgree(t *testing.T) {
	dsn := sourcestest.ClickHouseDSN(t)
	ctx := context.Background()
	evs := sourcestest.Events()

	duck, err := duckdb.Open(ctx, duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	table := fmt.Sprintf("vigil_agree_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	if err := duck.CreateTable(ctx, table, sourcestest.Columns, sourcestest.DuckDBTypes, sourcestest.Rows(evs)); err != nil {
		t.Fatal(err)
	}

	click, err := clickhouse.Open(ctx, clickhouse.Options{DSN: dsn, QueryTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer click.Close()
	for _, st := range append([]string{sourcestest.ClickHouseCreate(table, "DateTime")}, sourcestest.ClickHouseInserts(table, evs)...) {
		if err := click.Conn().Exec(ctx, st); err != nil {
			t.Fatalf("load ClickHouse: %v", err)
		}
	}
	defer click.Conn().Exec(context.Background(), "DROP TABLE IF EXISTS "+table)

	engines := []struct {
		name    string
		dialect sourcestest.Dialect
		src     sources.Source
	}{{"duckdb", sourcestest.DuckDB, duck}, {"clickhouse", sourcestest.ClickHouse, click}}
	for _, c := range sourcestest.Cases(table) {
		t.Run(c.Name, func(t *testing.T) {
			var series []detector.Series
			for _, e := range engines {
				got, err := e.src.Query(ctx, c.For(e.dialect))
				if err != nil {
					t.Fatalf("%s: Query: %v", e.name, err)
				}
				series = append(series, got)
			}
			if d := sourcestest.Diff(series[1], series[0]); d != "" {
				t.Errorf("Query(%s): clickhouse (got) and duckdb (want) disagree:\n%s", c.Name, d)
			}
			if n := nonMissing(series[0]); n == 0 {
				t.Errorf("Query(%s) returned no value at all; the case tests nothing", c.Name)
			}
		})
	}
}

func nonMissing(s detector.Series) int {
	n := 0
	for _, v := range s.Values {
		if !math.IsNaN(v) {
			n++
		}
	}
	return n
}
