package sourcestest

import (
	"context"
	"strings"
	"testing"
	"time"

	"vigil/sources"
)

// Source is a driver's source, as the shared engine tests use it.
type Source interface {
	sources.ArrivalSource
	Render(q sources.Query) (string, error)
}

// Engine is a live source under test and the driver's SQL.
type Engine struct {
	SQL    SQL
	Source Source
	// Run runs the SQL that Render wrote for q and reads its rows as Query
	// does.
	Run func(ctx context.Context, q sources.Query, text string, args []any) ([]sources.Row, error)
}

// TestQueryCases runs every case on table, which holds Events(): Query must
// return the reference series, and the SQL that Render shows the same.
func (e Engine) TestQueryCases(t *testing.T, table string) {
	evs := Events()
	for _, c := range Cases(table) {
		t.Run(c.Name, func(t *testing.T) {
			want, err := c.Want(evs)
			if err != nil {
				t.Fatalf("Want: %v", err)
			}
			q := c.For(e.SQL.Raw)
			got, err := e.Source.Query(context.Background(), q)
			if err != nil {
				t.Fatalf("Query: %v", err)
			}
			if d := Diff(got, want); d != "" {
				t.Errorf("Query(%s) differs from the reference:\n%s", c.Name, d)
			}
			text, err := e.Source.Render(q)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			rows, err := e.Run(context.Background(), q, text, nil)
			if err != nil {
				t.Fatalf("running the rendered SQL: %v\n%s", err, text)
			}
			if got, err = sources.Fill(q, rows); err != nil {
				t.Fatalf("Fill: %v", err)
			}
			if d := Diff(got, want); d != "" {
				t.Errorf("rendered SQL of %s returns other values:\n%s", q.Rule, d)
			}
		})
	}
}

// TestQuestionMarks checks that a ? in the rule's name or in a string of
// its filter is not taken for a parameter.
func (e Engine) TestQuestionMarks(t *testing.T, table string) {
	c := Cases(table)[0]
	want, err := c.Want(Events())
	if err != nil {
		t.Fatal(err)
	}
	q := c.For(e.SQL.Raw)
	q.Rule, q.Filter = "orders?", "status <> '?' AND country <> 'a?b'"
	got, err := e.Source.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if d := Diff(got, want); d != "" {
		t.Errorf("Query(question marks) differs:\n%s", d)
	}
}

// TestQueryErrors checks that bad queries on table, which holds Events(),
// fail with errors that name the rule and the problem.
func (e Engine) TestQueryErrors(t *testing.T, table string) {
	base := sources.Query{Rule: "orders", Table: table, Timestamp: "ts", Value: "count()", Granularity: time.Hour,
		From: utc(2024, 3, 29, 0), To: utc(2024, 3, 30, 0)}
	at := func(t time.Time) string { return e.SQL.Dialect.Time(t) }
	raw := func(sql string) func(*sources.Query) {
		return func(q *sources.Query) { q.Value, q.SQL = "", sql }
	}
	tests := []struct {
		name string
		edit func(*sources.Query)
		want string
	}{
		{"missing table", func(q *sources.Query) { q.Table = "vigil_no_such_table" }, "vigil_no_such_table"},
		{"missing column", func(q *sources.Query) { q.Value = "sum(price)" }, "price"},
		{"bad expression", func(q *sources.Query) { q.Value = "sum(amount" }, "parentheses"},
		{"two forms", func(q *sources.Query) { q.SQL = "SELECT 1" }, "only one"},
		{"raw sql three columns", raw("SELECT ts, 1, 2 FROM " + table + " WHERE ts >= {{from}} AND ts < {{to}}"), "2 columns"},
		{"raw sql outside window", raw("SELECT " + at(utc(2020, 1, 1, 0)) + ", 1 WHERE {{from}} < {{to}}"), "outside the window"},
		{"raw sql misaligned", raw("SELECT " + at(utc(2024, 3, 29, 1).Add(30*time.Minute)) + ", 1 WHERE {{from}} < {{to}}"), "not a bucket start"},
		{"raw sql text value", raw("SELECT " + at(utc(2024, 3, 29, 1)) + ", 'x' WHERE {{from}} < {{to}}"), "must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := base
			tt.edit(&q)
			_, err := e.Source.Query(context.Background(), q)
			if err == nil {
				t.Fatalf("Query(%s) = nil error, want one mentioning %q", tt.name, tt.want)
			}
			t.Logf("%v", err)
			for _, w := range []string{`rule "orders"`, tt.want} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Query(%s) error %q does not mention %q", tt.name, err, w)
				}
			}
		})
	}
}
