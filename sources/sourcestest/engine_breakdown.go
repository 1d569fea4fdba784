package sourcestest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

// CubeLoader loads cube c into a table of a source under test, and
// returns the source and the table; the test's cleanup drops both.
type CubeLoader func(t testing.TB, c *Cube) (sources.Breakdowner, string)

// TestBreakdownCases checks every request against the cells computed in
// Go, for a plain metric and a ratio, over values that need escaping.
func (load CubeLoader) TestBreakdownCases(t *testing.T) {
	for _, ratio := range []bool{false, true} {
		c := TrickyCube(ratio)
		b, table := load(t, c)
		for _, bc := range BreakdownCases(c) {
			t.Run(c.Name+"/"+bc.Name, func(t *testing.T) { CheckBreakdown(t, b, c, table, bc.Request) })
		}
	}
}

// CheckBreakdown checks the breakdown of req over table, which holds cube
// c, against the cells computed in Go.
func CheckBreakdown(t *testing.T, b sources.Breakdowner, c *Cube, table string, req explain.Request) {
	t.Helper()
	want, err := c.WantCells(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("the reference has no cells; the case tests nothing")
	}
	got, err := b.Breakdown(context.Background(), c.Query(table), req)
	if err != nil {
		t.Fatalf("Breakdown: %v", err)
	}
	if d := DiffCells(got, want); d != "" {
		t.Errorf("Breakdown over %s differs from the reference:\n%s", table, d)
	}
}

// TestExplainCubes explains each scenario through the real Breakdown.
func (load CubeLoader) TestExplainCubes(t *testing.T) {
	for _, c := range ExplainCubes() {
		t.Run(c.Name, func(t *testing.T) {
			b, table := load(t, c)
			e, err := explain.Explain(context.Background(), sources.Fetcher(b, c.Query(table)), c.Input(), c.Opts)
			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			c.Check(t, e)
		})
	}
}

// TestBreakdownErrors checks that bad requests fail with errors that say
// what is wrong, and that a cancelled context ends a breakdown.
func (load CubeLoader) TestBreakdownErrors(t *testing.T) {
	c := TrickyCube(false)
	b, table := load(t, c)
	good := BreakdownCases(c)[0].Request
	good.Groups = [][]string{{"country"}}
	tests := []struct {
		name string
		edit func(*sources.Query, *explain.Request)
		want []string
	}{
		{"raw sql", func(q *sources.Query, _ *explain.Request) { q.Value, q.SQL = "", "SELECT 1 WHERE {{from}} < {{to}}" },
			[]string{`rule "tricky"`, "sql cannot be broken down"}},
		{"missing column", func(_ *sources.Query, r *explain.Request) { r.Groups = [][]string{{"colour"}} }, []string{`rule "tricky"`, "colour"}},
		{"missing table", func(q *sources.Query, _ *explain.Request) { q.Table = "vigil_no_such_table" },
			[]string{`rule "tricky"`, "vigil_no_such_table"}},
		{"no groups", func(_ *sources.Query, r *explain.Request) { r.Groups = nil }, []string{"no groups"}},
		{"dimension twice", func(_ *sources.Query, r *explain.Request) { r.Groups = [][]string{{"country", "country"}} },
			[]string{`"country" twice`}},
		{"empty dimension", func(_ *sources.Query, r *explain.Request) { r.Groups = [][]string{{" "}} }, []string{"empty name"}},
		{"no baseline", func(_ *sources.Query, r *explain.Request) { r.Baseline = nil }, []string{"no baseline"}},
		{"overlap", func(_ *sources.Query, r *explain.Request) {
			r.Baseline = append(r.Baseline, explain.Range{From: r.Current.From.Add(-time.Minute), To: r.Current.From.Add(time.Minute)})
		}, []string{"overlap"}},
		{"empty range", func(_ *sources.Query, r *explain.Request) { r.Current.To = r.Current.From }, []string{"empty range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, req := c.Query(table), good
			tt.edit(&q, &req)
			_, err := b.Breakdown(context.Background(), q, req)
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
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := b.Breakdown(ctx, c.Query(table), good); !errors.Is(err, context.Canceled) {
			t.Errorf("Breakdown(cancelled) = %v, want context.Canceled", err)
		}
	})
}
