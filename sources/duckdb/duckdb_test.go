package duckdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/detector"
	"vigil/sources"
	"vigil/sources/sourcestest"
)

// open returns an in-memory source loaded with the test events, as table
// events (TIMESTAMP) and view events_tz (TIMESTAMPTZ).
func open(t *testing.T) *Source {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Options{Init: []string{"SET GLOBAL threads = 2"}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	evs := sourcestest.Events()
	if err := s.CreateTable(ctx, "events", sourcestest.Columns, sourcestest.DuckDBTypes, sourcestest.Rows(evs)); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	if _, err := s.DB().ExecContext(ctx, "CREATE VIEW events_tz AS SELECT * REPLACE (CAST(ts AS TIMESTAMPTZ) AS ts) FROM events"); err != nil {
		t.Fatalf("create view: %v", err)
	}
	return s
}

func TestQueryCases(t *testing.T) {
	s := open(t)
	evs := sourcestest.Events()
	for _, table := range []string{"events", "events_tz"} {
		for _, c := range sourcestest.Cases(table) {
			t.Run(table+"/"+c.Name, func(t *testing.T) {
				want, err := c.Want(evs)
				if err != nil {
					t.Fatalf("Want: %v", err)
				}
				got, err := s.Query(context.Background(), c.For(sourcestest.DuckDB))
				if err != nil {
					t.Fatalf("Query: %v", err)
				}
				if d := sourcestest.Diff(got, want); d != "" {
					t.Errorf("Query(%s) differs from the reference:\n%s", c.Name, d)
				}
				checkRender(t, s, c.For(sourcestest.DuckDB), want)
			})
		}
	}
}

func TestQueryErrors(t *testing.T) {
	s := open(t)
	base := sources.Query{Rule: "orders", Table: "events", Timestamp: "ts", Value: "count()", Granularity: time.Hour,
		From: time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 30, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name string
		edit func(*sources.Query)
		want []string
	}{
		{"missing table", func(q *sources.Query) { q.Table = "nope" }, []string{`rule "orders"`, "nope"}},
		{"missing column", func(q *sources.Query) { q.Value = "sum(price)" }, []string{`rule "orders"`, "price"}},
		{"bad expression", func(q *sources.Query) { q.Value = "sum(amount" }, []string{`rule "orders"`, "parentheses"}},
		{"two forms", func(q *sources.Query) { q.SQL = "SELECT 1" }, []string{`rule "orders"`, "only one"}},
		{"raw sql three columns", func(q *sources.Query) {
			q.Value, q.SQL = "", "SELECT ts, 1, 2 FROM events WHERE ts >= {{from}} AND ts < {{to}}"
		}, []string{`rule "orders"`, "2 columns"}},
		{"raw sql outside window", func(q *sources.Query) {
			q.Value, q.SQL = "", "SELECT TIMESTAMP '2020-01-01 00:00:00', 1 WHERE {{from}} < {{to}}"
		}, []string{`rule "orders"`, "outside the window"}},
		{"raw sql misaligned", func(q *sources.Query) {
			q.Value, q.SQL = "", "SELECT TIMESTAMP '2024-03-29 01:30:00', 1 WHERE {{from}} < {{to}}"
		}, []string{`rule "orders"`, "not a bucket start"}},
		{"raw sql text value", func(q *sources.Query) {
			q.Value, q.SQL = "", "SELECT TIMESTAMP '2024-03-29 01:00:00', 'x' WHERE {{from}} < {{to}}"
		}, []string{`rule "orders"`, "must be a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := base
			tt.edit(&q)
			_, err := s.Query(context.Background(), q)
			if err == nil {
				t.Fatalf("Query(%s) = nil error, want one mentioning %q", tt.name, tt.want)
			}
			t.Logf("%v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Query(%s) error %q does not mention %q", tt.name, err, w)
				}
			}
		})
	}
}

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

// checkRender runs the SQL that Render shows, bounds inlined, and checks
// that it returns what Query does.
func checkRender(t *testing.T, s *Source, q sources.Query, want detector.Series) {
	t.Helper()
	text, err := s.Render(q)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	rows, err := s.fetch(context.Background(), q, text, nil)
	if err != nil {
		t.Fatalf("running the rendered SQL: %v\n%s", err, text)
	}
	got, err := sources.Fill(q, rows)
	if err != nil {
		t.Fatalf("Fill: %v", err)
	}
	if d := sourcestest.Diff(got, want); d != "" {
		t.Errorf("rendered SQL of %s returns other values:\n%s", q.Rule, d)
	}
}

// TestQuestionMarks checks that a ? in the rule's name or in a string of
// its filter is not taken for a parameter.
func TestQuestionMarks(t *testing.T) {
	s := open(t)
	c := sourcestest.Cases("events")[0]
	want, err := c.Want(sourcestest.Events())
	if err != nil {
		t.Fatal(err)
	}
	q := c.For(sourcestest.DuckDB)
	q.Rule, q.Filter = "orders?", "status <> '?' AND country <> 'a?b'"
	got, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if d := sourcestest.Diff(got, want); d != "" {
		t.Errorf("Query(question marks) differs:\n%s", d)
	}
}
