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
