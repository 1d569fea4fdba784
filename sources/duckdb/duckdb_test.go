package duckdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/sources"
	"vigil/sources/sourcestest"
)

// open returns an in-memory source loaded with the test events, as table
// events (TIMESTAMP) and view events_tz (TIMESTAMPTZ).
func open(t *testing.T) *Source {
	t.Helper()
	ctx := context.Background()
	s := openMemory(t)
	evs := sourcestest.Events()
	if err := s.CreateTable(ctx, "events", sourcestest.Columns, sourcestest.DuckDBTypes, sourcestest.Rows(evs)); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	if _, err := s.DB().ExecContext(ctx, "CREATE VIEW events_tz AS SELECT * REPLACE (CAST(ts AS TIMESTAMPTZ) AS ts) FROM events"); err != nil {
		t.Fatalf("create view: %v", err)
	}
	return s
}

// openMemory returns a private in-memory source, closed when the test
// ends.
func openMemory(t testing.TB) *Source {
	t.Helper()
	s, err := Open(context.Background(), Options{Init: []string{"SET GLOBAL threads = 2"}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// engine returns the shared engine tests over s.
func engine(s *Source) sourcestest.Engine {
	return sourcestest.Engine{SQL: sqlTests(), Source: s, Run: s.fetch}
}

// TestQueryCases runs the cases over a TIMESTAMP column and over a
// TIMESTAMPTZ one, which must change nothing.
func TestQueryCases(t *testing.T) {
	e := engine(open(t))
	for _, table := range []string{"events", "events_tz"} {
		t.Run(table, func(t *testing.T) { e.TestQueryCases(t, table) })
	}
}

func TestQuestionMarks(t *testing.T) { engine(open(t)).TestQuestionMarks(t, "events") }
func TestQueryErrors(t *testing.T)   { engine(open(t)).TestQueryErrors(t, "events") }

func TestQueryTimeout(t *testing.T) {
	s, err := Open(context.Background(), Options{QueryTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q := sources.Query{Rule: "slow", Granularity: time.Hour,
		From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		SQL: "SELECT {{from}} AS b, count(*) FROM range(100000000000) a WHERE a.range % 7 = {{bucket_seconds}} AND {{to}} > b"}
	_, err = s.Query(context.Background(), q)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Query(slow) error = %v, want context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), `rule "slow"`) {
		t.Errorf("Query(slow) error %q does not name the rule", err)
	}
}

func TestInit(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "orders.csv")
	data := "created_at,amount\n2024-03-29 00:10:00,5\n2024-03-29 00:20:00,7\n2024-03-29 02:00:00,1\n"
	if err := os.WriteFile(csv, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, Options{Path: filepath.Join(dir, "vigil.duckdb"),
		Init: []string{"CREATE VIEW orders AS SELECT * FROM read_csv('" + csv + "')"}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	q := sources.Query{Rule: "orders", Table: "orders", Timestamp: "created_at", Value: "sum(amount)", Granularity: time.Hour,
		From: time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 29, 3, 0, 0, 0, time.UTC)}
	got, err := s.Query(ctx, q)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if len(got.Values) != 3 || got.Values[0] != 12 || !(got.Values[1] != got.Values[1]) || got.Values[2] != 1 {
		t.Errorf("Query(orders) = %v, want [12 NaN 1]", got.Values)
	}

	_, err = Open(ctx, Options{Init: []string{"SELECT 1", "CREATE VIEW x AS SELECT * FROM missing_table"}})
	if err == nil || !strings.Contains(err.Error(), "init statement 2 of 2") {
		t.Errorf("Open(bad init) error = %v, want it to name init statement 2 of 2", err)
	}
}
