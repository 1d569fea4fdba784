package clickhouse

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
	"vigil/sources/sourcestest"
)

// loadCube opens the test server and loads cube c into a table of its own,
// dropped when the test ends.
func loadCube(t *testing.T, c *sourcestest.Cube) (*Source, string) {
	t.Helper()
	dsn := sourcestest.ClickHouseDSN(t)
	ctx := context.Background()
	s, err := Open(ctx, Options{DSN: dsn, ConnectTimeout: 5 * time.Second, QueryTimeout: time.Minute})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	table := fmt.Sprintf("vigil_test_%s_%d_%d", c.Name, os.Getpid(), time.Now().UnixNano()%1e6)
	for _, st := range append([]string{dropTable(table), c.ClickHouseCreate(table)}, c.ClickHouseInserts(table)...) {
		if err := s.Conn().Exec(ctx, st); err != nil {
			t.Fatalf("load cube %s: %v", c.Name, err)
		}
	}
	t.Cleanup(func() { s.Conn().Exec(context.Background(), dropTable(table)) })
	return s, table
}

// TestBreakdownCases checks every request against the cells computed in Go,
// for a plain metric and a ratio, over values that need escaping.
func TestBreakdownCases(t *testing.T) {
	for _, ratio := range []bool{false, true} {
		c := sourcestest.TrickyCube(ratio)
		s, table := loadCube(t, c)
		for _, bc := range sourcestest.BreakdownCases(c) {
			t.Run(c.Name+"/"+bc.Name, func(t *testing.T) {
				want, err := c.WantCells(bc.Request)
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.Breakdown(context.Background(), c.Query(table), bc.Request)
				if err != nil {
					t.Fatalf("Breakdown: %v", err)
				}
				if len(want) == 0 {
					t.Fatal("the reference has no cells; the case tests nothing")
				}
				if d := sourcestest.DiffCells(got, want); d != "" {
					t.Errorf("Breakdown(%s) differs from the reference:\n%s", bc.Name, d)
				}
			})
		}
	}
}

// TestExplainCubes explains each scenario through the real Breakdown.
func TestExplainCubes(t *testing.T) {
	for _, c := range sourcestest.ExplainCubes() {
		t.Run(c.Name, func(t *testing.T) {
			s, table := loadCube(t, c)
			e, err := explain.Explain(context.Background(), sources.Fetcher(s, c.Query(table)), c.Input(), c.Opts)
			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			c.Check(t, e)
		})
	}
}

// TestBreakdownBindsValues checks that no value of a Keep list is written
// into the SQL: each is a parameter, and the text has one ? per argument.
func TestBreakdownBindsValues(t *testing.T) {
	c := sourcestest.TrickyCube(false)
	for _, bc := range sourcestest.BreakdownCases(c) {
		text, args := breakdownSQL(t, c.Query(c.Name), bc.Request)
		if n := strings.Count(text, "?"); n != len(args) {
			t.Errorf("%s: %d placeholders for %d arguments", bc.Name, n, len(args))
		}
		for _, vals := range bc.Request.Keep {
			for _, v := range vals {
				if len(v) > 2 && strings.Contains(text, v) {
					t.Errorf("%s: value %q is written into the SQL", bc.Name, v)
				}
				if !containsArg(args, v) {
					t.Errorf("%s: value %q is not among the arguments %q", bc.Name, v, args)
				}
			}
		}
	}
}

func containsArg(args []any, v string) bool {
	for _, a := range args {
		if a == v {
			return true
		}
	}
	return false
}

// breakdownSQL returns the SQL that Breakdown sends, with its arguments.
func breakdownSQL(t *testing.T, q sources.Query, req explain.Request) (string, []any) {
	t.Helper()
	p, err := sources.NewPlan(q, req)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	var args []any
	text, err := buildBreakdown(p, func(v any) string { args = append(args, v); return "?" })
	if err != nil {
		t.Fatalf("buildBreakdown: %v", err)
	}
	return text, args
}

// goldenBreakdowns are the requests whose SQL is kept in golden files, and
// run on chDB.
var goldenBreakdowns = []string{"each_dimension", "pair_both_orders", "keep_tricky", "keep_none"}

// TestBreakdownGolden keeps the SQL of a few requests in golden files, and
// checks that RenderBreakdown is that SQL with its arguments inlined and
// that nothing in it is missing from ClickHouse 18.16.
func TestBreakdownGolden(t *testing.T) {
	for _, ratio := range []bool{false, true} {
		c := sourcestest.TrickyCube(ratio)
		for _, bc := range sourcestest.BreakdownCases(c) {
			if !contains(goldenBreakdowns, bc.Name) {
				continue
			}
			name := "breakdown_" + c.Name + "_" + bc.Name
			q := c.Query(goldenTable)
			q.Filter = "amount >= 0"
			text, args := breakdownSQL(t, q, bc.Request)
			golden(t, name, text)
			rendered, err := (&Source{}).RenderBreakdown(q, bc.Request)
			if err != nil {
				t.Fatalf("RenderBreakdown: %v", err)
			}
			if want := inlineArgs(text, args); rendered != want {
				t.Errorf("RenderBreakdown(%s) is not the query with its arguments inlined:\n%s\nwant:\n%s", name, rendered, want)
			}
			for _, b := range []string{"GROUPING SETS", "toStartOfInterval", "DateTime64", "FILTER (WHERE"} {
				if strings.Contains(text, b) {
					t.Errorf("SQL of %s uses %s, which ClickHouse 18.16 lacks", name, b)
				}
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// inlineArgs replaces each ? of text by its argument as a literal.
func inlineArgs(text string, args []any) string {
	parts := strings.Split(text, "?")
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(p)
		if i < len(args) {
			b.WriteString(dialect.Inline(args[i]))
		}
	}
	return b.String()
}

func TestBreakdownErrors(t *testing.T) {
	c := sourcestest.TrickyCube(false)
	s, table := loadCube(t, c)
	req := sourcestest.BreakdownCases(c)[0].Request
	tests := []struct {
		name string
		edit func(*sources.Query, *explain.Request)
		want []string
	}{
		{"missing column", func(_ *sources.Query, r *explain.Request) { r.Groups = [][]string{{"colour"}} }, []string{`rule "tricky"`, "colour"}},
		{"missing table", func(q *sources.Query, _ *explain.Request) { q.Table = "vigil_no_such_table" }, []string{`rule "tricky"`, "vigil_no_such_table"}},
		{"raw sql", func(q *sources.Query, _ *explain.Request) { q.Value, q.SQL = "", "SELECT 1 WHERE {{from}} < {{to}}" }, []string{"sql cannot be broken down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, r := c.Query(table), req
			tt.edit(&q, &r)
			_, err := s.Breakdown(context.Background(), q, r)
			if err == nil {
				t.Fatalf("Breakdown(%s) = nil error, want one mentioning %q", tt.name, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Breakdown(%s) error %q lacks %q", tt.name, err, w)
				}
			}
		})
	}
}

// TestBreakdownZonedColumn loads the cube into a table whose time column
// has its own zone: the buckets must select the same rows.
func TestBreakdownZonedColumn(t *testing.T) {
	c := sourcestest.TrickyCube(false)
	s, plain := loadCube(t, c)
	ctx := context.Background()
	table := plain + "_tokyo"
	create := strings.Replace(c.ClickHouseCreate(table), "ts DateTime", "ts DateTime('Asia/Tokyo')", 1)
	for _, st := range []string{dropTable(table), create, "INSERT INTO " + table + " SELECT * FROM " + plain} {
		if err := s.Conn().Exec(ctx, st); err != nil {
			t.Fatalf("load zoned table: %v", err)
		}
	}
	t.Cleanup(func() { s.Conn().Exec(context.Background(), dropTable(table)) })
	bc := sourcestest.BreakdownCases(c)[0]
	want, err := c.WantCells(bc.Request)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Breakdown(ctx, c.Query(table), bc.Request)
	if err != nil {
		t.Fatalf("Breakdown: %v", err)
	}
	if d := sourcestest.DiffCells(got, want); d != "" {
		t.Errorf("Breakdown over DateTime('Asia/Tokyo') differs from the reference:\n%s", d)
	}
}
