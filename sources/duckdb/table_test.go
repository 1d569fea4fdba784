package duckdb

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/sources/sourcestest"
)

func TestCreateTable(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts := time.Date(2024, 3, 31, 1, 30, 0, 0, sourcestest.Berlin)
	rows := [][]any{{ts, "Côte d'Ivoire", 1.5, 3}, {ts.Add(time.Hour), "日本", float32(2), int32(4)}, {ts, nil, nil, nil}}
	cols, types := []string{"ts", "country", "amount", "n"}, []string{"TIMESTAMP", "VARCHAR", "DOUBLE", "BIGINT"}
	if err := s.CreateTable(ctx, "t", cols, types, rows); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	var n, nulls int
	var first time.Time
	var sum float64
	var country string
	err = s.DB().QueryRowContext(ctx, `SELECT count(*), count(*) - count(country), min(ts), sum(amount), min(country) FROM t`).
		Scan(&n, &nulls, &first, &sum, &country)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || nulls != 1 || !first.Equal(ts) || sum != 3.5 || country != "Côte d'Ivoire" {
		t.Errorf("table t = %d rows, %d NULL, first %s, sum %v, min country %q; want 3, 1, %s, 3.5, \"Côte d'Ivoire\"",
			n, nulls, first, sum, country, ts.UTC())
	}

	// Loading again replaces the table.
	if err := s.CreateTable(ctx, "t", cols, types, rows[:1]); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
		t.Errorf("after reloading, t has %d rows (%v), want 1", n, err)
	}
}

func TestCreateTableErrors(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name        string
		cols, types []string
		rows        [][]any
		want        string
	}{
		{"short row", []string{"a", "b"}, []string{"BIGINT", "VARCHAR"}, [][]any{{int64(1), "x"}, {int64(2)}}, "row 2"},
		{"wrong type", []string{"a"}, []string{"BIGINT"}, [][]any{{int64(1)}, {"x"}}, "row 2"},
		{"types do not match columns", []string{"a", "b"}, []string{"BIGINT"}, nil, "2 columns but 1 types"},
		{"injected type", []string{"a"}, []string{"BIGINT); DROP TABLE x; --"}, nil, "not a plain SQL type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CreateTable(ctx, "bad", tt.cols, tt.types, tt.rows)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"bad"`) {
				t.Fatalf("CreateTable(%s) error = %v, want one naming the table and %q", tt.name, err, tt.want)
			}
			var n int
			if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'bad'").Scan(&n); err != nil || n != 0 {
				t.Errorf("after a failed load, table bad exists (%d, %v); want it dropped", n, err)
			}
		})
	}
}

// TestMachineZone checks that a session zone other than UTC does not shift
// TIMESTAMP columns: vigil sets UTC on every connection.
func TestMachineZone(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Init: []string{"SET GLOBAL TimeZone = 'America/New_York'"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evs := sourcestest.Events()
	if err := s.CreateTable(ctx, "events", sourcestest.Columns, sourcestest.DuckDBTypes, sourcestest.Rows(evs)); err != nil {
		t.Fatal(err)
	}
	for _, c := range sourcestest.Cases("events") {
		want, err := c.Want(evs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Query(ctx, c.For(sourcestest.DuckDB))
		if err != nil {
			t.Fatalf("Query(%s): %v", c.Name, err)
		}
		if d := sourcestest.Diff(got, want); d != "" {
			t.Errorf("Query(%s) with a New York session zone differs:\n%s", c.Name, d)
		}
	}
}

// BenchmarkCreateTable loads 300,000 rows, the size of the demo data.
func BenchmarkCreateTable(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n = 300_000
	rows := make([][]any, n)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = []any{t0.Add(time.Duration(i) * 7 * time.Second), fmt.Sprint("c", i%40), float64(i%1000) / 10, int64(i % 3)}
	}
	cols, types := []string{"ts", "country", "amount", "n"}, []string{"TIMESTAMP", "VARCHAR", "DOUBLE", "BIGINT"}
	b.ResetTimer()
	for b.Loop() {
		if err := s.CreateTable(ctx, "bench", cols, types, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
