package duckdb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vigil/detector/explain"
	"vigil/sources"
	"vigil/sources/sourcestest"
)

// openCube returns an in-memory source holding cube c as table c.Name.
func openCube(t testing.TB, c *sourcestest.Cube) *Source {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Options{Init: []string{"SET GLOBAL threads = 2"}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateTable(ctx, c.Name, c.Columns(), c.DuckDBTypes(), c.DuckDBRows()); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return s
}

// TestBreakdownCases checks every request against the cells computed in Go,
// for a plain metric and a ratio, over values that need escaping.
func TestBreakdownCases(t *testing.T) {
	for _, ratio := range []bool{false, true} {
		c := sourcestest.TrickyCube(ratio)
		s := openCube(t, c)
		for _, bc := range sourcestest.BreakdownCases(c) {
			t.Run(c.Name+"/"+bc.Name, func(t *testing.T) {
				want, err := c.WantCells(bc.Request)
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.Breakdown(context.Background(), c.Query(c.Name), bc.Request)
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
			s := openCube(t, c)
			e, err := explain.Explain(context.Background(), sources.Fetcher(s, c.Query(c.Name)), c.Input(), c.Opts)
			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			c.Check(t, e)
		})
	}
}

func TestBreakdownErrors(t *testing.T) {
	c := sourcestest.TrickyCube(false)
	s := openCube(t, c)
	base := c.Query(c.Name)
	good := sourcestest.BreakdownCases(c)[0].Request
	tests := []struct {
		name string
		q    func(*sources.Query)
		req  func(*explain.Request)
		want []string
	}{
		{"raw sql", func(q *sources.Query) { q.Value, q.SQL = "", "SELECT 1 WHERE {{from}} < {{to}}" }, nil, []string{`rule "tricky"`, "sql cannot be broken down"}},
		{"missing column", nil, func(r *explain.Request) { r.Groups = [][]string{{"colour"}} }, []string{`rule "tricky"`, "colour"}},
		{"missing table", func(q *sources.Query) { q.Table = "nope" }, nil, []string{`rule "tricky"`, "nope"}},
		{"no groups", nil, func(r *explain.Request) { r.Groups = nil }, []string{"no groups"}},
		{"dimension twice", nil, func(r *explain.Request) { r.Groups = [][]string{{"country", "country"}} }, []string{`"country" twice`}},
		{"empty dimension", nil, func(r *explain.Request) { r.Groups = [][]string{{" "}} }, []string{"empty name"}},
		{"no baseline", nil, func(r *explain.Request) { r.Baseline = nil }, []string{"no baseline"}},
		{"overlap", nil, func(r *explain.Request) {
			r.Baseline = append(r.Baseline, explain.Range{From: r.Current.From.Add(-time.Minute), To: r.Current.From.Add(time.Minute)})
		}, []string{"overlap"}},
		{"empty range", nil, func(r *explain.Request) { r.Current.To = r.Current.From }, []string{"empty range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, req := base, good
			req.Groups = [][]string{{"country"}}
			if tt.q != nil {
				tt.q(&q)
			}
			if tt.req != nil {
				tt.req(&req)
			}
			_, err := s.Breakdown(context.Background(), q, req)
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

func TestBreakdownCancelled(t *testing.T) {
	c := sourcestest.TrickyCube(false)
	s := openCube(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Breakdown(ctx, c.Query(c.Name), sourcestest.BreakdownCases(c)[0].Request)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Breakdown(cancelled) = %v, want context.Canceled", err)
	}
}

// TestBreakdownZonedColumn reads the cube through a view whose time column
// is TIMESTAMPTZ: the buckets must select the same rows.
func TestBreakdownZonedColumn(t *testing.T) {
	c := sourcestest.TrickyCube(false)
	s := openCube(t, c)
	view := "CREATE VIEW tricky_tz AS SELECT * REPLACE (CAST(ts AS TIMESTAMPTZ) AS ts) FROM tricky"
	if _, err := s.DB().ExecContext(context.Background(), view); err != nil {
		t.Fatal(err)
	}
	bc := sourcestest.BreakdownCases(c)[0]
	want, err := c.WantCells(bc.Request)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Breakdown(context.Background(), c.Query("tricky_tz"), bc.Request)
	if err != nil {
		t.Fatalf("Breakdown: %v", err)
	}
	if d := sourcestest.DiffCells(got, want); d != "" {
		t.Errorf("Breakdown over TIMESTAMPTZ differs from the reference:\n%s", d)
	}
}

// FuzzKeepValue keeps one arbitrary value (and one real one) of country:
// the bound query and the rendered one, with the value written as an
// escaped literal, must both return the reference cells.
func FuzzKeepValue(f *testing.F) {
	for _, v := range sourcestest.TrickyValues {
		f.Add(v)
	}
	f.Add("'); DROP TABLE tricky; --")
	f.Add(`\'`)
	f.Add("line\nbreak\ttab")
	c := sourcestest.TrickyCube(false)
	s := openCube(f, c)
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			t.Skip("DuckDB strings are valid UTF-8 without NUL")
		}
		req := sourcestest.BreakdownCases(c)[0].Request
		req.Groups = [][]string{{"country"}, {"country", sourcestest.TrickyDim}}
		req.Keep = map[string][]string{"country": {v, "O'Brien"}}
		want, err := c.WantCells(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Breakdown(context.Background(), c.Query(c.Name), req)
		if err != nil {
			t.Fatalf("Breakdown(keep %q): %v", v, err)
		}
		if d := sourcestest.DiffCells(got, want); d != "" {
			t.Errorf("Breakdown(keep %q) differs from the reference:\n%s", v, d)
		}
		text, err := s.RenderBreakdown(c.Query(c.Name), req)
		if err != nil {
			t.Fatal(err)
		}
		p, err := sources.NewPlan(c.Query(c.Name), req)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.fetchBreakdown(context.Background(), p, text, nil)
		if err != nil {
			t.Fatalf("rendered SQL for %q does not run: %v\n%s", v, err, text)
		}
		cells, err := p.Cells(rows)
		if err != nil {
			t.Fatal(err)
		}
		if d := sourcestest.DiffCells(cells, want); d != "" {
			t.Errorf("rendered SQL for %q differs from the reference:\n%s", v, d)
		}
	})
}
