package duckdb

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"vigil/sources"
	"vigil/sources/sourcestest"
)

// openCube returns an in-memory source holding cube c as table c.Name.
func openCube(t testing.TB, c *sourcestest.Cube) *Source {
	t.Helper()
	ctx := context.Background()
	s := openMemory(t)
	if err := s.CreateTable(ctx, c.Name, c.Columns(), c.DuckDBTypes(), c.DuckDBRows()); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return s
}

// cubes loads each cube into a source of its own.
var cubes sourcestest.CubeLoader = func(t testing.TB, c *sourcestest.Cube) (sources.Breakdowner, string) {
	return openCube(t, c), c.Name
}

func TestBreakdownCases(t *testing.T)  { cubes.TestBreakdownCases(t) }
func TestExplainCubes(t *testing.T)    { cubes.TestExplainCubes(t) }
func TestBreakdownErrors(t *testing.T) { cubes.TestBreakdownErrors(t) }

// TestBreakdownZonedColumn reads the cube through a view whose time column
// is TIMESTAMPTZ: the buckets must select the same rows.
func TestBreakdownZonedColumn(t *testing.T) {
	c := sourcestest.TrickyCube(false)
	s := openCube(t, c)
	view := "CREATE VIEW tricky_tz AS SELECT * REPLACE (CAST(ts AS TIMESTAMPTZ) AS ts) FROM tricky"
	if _, err := s.DB().ExecContext(context.Background(), view); err != nil {
		t.Fatal(err)
	}
	sourcestest.CheckBreakdown(t, s, c, "tricky_tz", sourcestest.BreakdownCases(c)[0].Request)
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
