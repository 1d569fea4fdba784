package sourcestest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

// GoldenTable is the table that the golden queries read.
const GoldenTable = "events"

// SQL is one driver's SQL, as the shared SQL tests see it. The tests keep
// its queries in golden files under testdata/golden of the driver's
// package, one per query, which the driver's own -update flag rewrites.
type SQL struct {
	Raw     Dialect         // which raw SQL of the cases the driver runs
	Dialect sources.Dialect // the driver's dialect, as its sources build queries with it
	// Breakdown is the driver's breakdown builder: the query of p, bind
	// writing each bound value.
	Breakdown func(p *sources.Plan, bind func(any) string) (string, error)
	// Render and RenderBreakdown are the driver's: the queries with their
	// bound values written as literals.
	Render          func(sources.Query) (string, error)
	RenderBreakdown func(sources.Query, explain.Request) (string, error)
	// GoldenBreakdowns names the BreakdownCases kept in golden files.
	GoldenBreakdowns []string
	// Banned are words the generated SQL must not hold: what the oldest
	// server the driver supports lacks.
	Banned []string
	Update bool // rewrite the golden files instead of comparing with them
}

// QuerySQL returns the SQL that the driver's Query sends for q, with its
// arguments.
func (s SQL) QuerySQL(t testing.TB, q sources.Query) (string, []any) {
	t.Helper()
	var args sources.Args
	text, err := s.Dialect.BuildQuery(q, args.Bind)
	if err != nil {
		t.Fatalf("BuildQuery(%s): %v", q.Rule, err)
	}
	return text, args
}

// BreakdownSQL returns the SQL that the driver's Breakdown sends, with its
// arguments.
func (s SQL) BreakdownSQL(t testing.TB, q sources.Query, req explain.Request) (string, []any) {
	t.Helper()
	p, err := sources.NewPlan(q, req)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	var args sources.Args
	text, err := s.Breakdown(p, args.Bind)
	if err != nil {
		t.Fatalf("Breakdown SQL: %v", err)
	}
	return text, args
}

// Golden compares got with testdata/golden/name.sql, or rewrites the file
// when s.Update is set.
func (s SQL) Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".sql")
	if s.Update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -run Golden -update to create it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("SQL of %s changed (run with -update if intended)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// GoldenBreakdown returns the query of a golden breakdown of cube c.
func GoldenBreakdown(c *Cube) sources.Query {
	q := c.Query(GoldenTable)
	q.Filter = "amount >= 0"
	return q
}

// TestGolden checks the SQL of every case, and of every arrival case,
// against the golden files: bounds bound, Render the same query with them
// inlined, nothing banned.
func (s SQL) TestGolden(t *testing.T) {
	for _, c := range Cases(GoldenTable) {
		t.Run(c.Name, func(t *testing.T) { s.checkQuery(t, c.Name, c.For(s.Raw), 2) })
	}
	for _, c := range ArrivalCases(GoldenTable) {
		t.Run(c.Name, func(t *testing.T) {
			_, args := s.checkQuery(t, c.Name, c.Query, 4)
			if !args[0].(time.Time).Equal(c.Query.Now) || !args[2].(time.Time).Equal(c.Query.From) {
				t.Errorf("arguments %v, want now twice, then from and to", args)
			}
		})
	}
}

func (s SQL) checkQuery(t *testing.T, name string, q sources.Query, nargs int) (string, []any) {
	text, args := s.QuerySQL(t, q)
	s.Golden(t, name, text)
	if n := strings.Count(text, "?"); n != len(args) || n != nargs {
		t.Fatalf("SQL of %s has %d placeholders and %d arguments, want %d of each", name, n, len(args), nargs)
	}
	if strings.Contains(text, q.From.UTC().Format("2006-01-02 15:04")) {
		t.Errorf("SQL of %s holds a time bound as text; bounds must be bound", name)
	}
	rendered, err := s.Render(q)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if want := s.inline(text, args); rendered != want {
		t.Errorf("Render(%s) is not the query with its bounds inlined:\n%s\nwant:\n%s", name, rendered, want)
	}
	if q.Kind() != sources.KindSQL {
		s.checkBanned(t, name, text)
	}
	return text, args
}

func (s SQL) checkBanned(t *testing.T, name, text string) {
	for _, b := range s.Banned {
		if strings.Contains(text, b) {
			t.Errorf("SQL of %s uses %s, which the oldest server lacks:\n%s", name, b, text)
		}
	}
}

// inline replaces each ? of text by its argument as a literal.
func (s SQL) inline(text string, args []any) string {
	parts := strings.Split(text, "?")
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(p)
		if i < len(args) {
			b.WriteString(s.Dialect.Inline(args[i]))
		}
	}
	return b.String()
}

// TestBreakdownGolden keeps the SQL of the golden breakdowns in golden
// files, and checks that RenderBreakdown is that SQL with its arguments
// inlined and that nothing in it is banned.
func (s SQL) TestBreakdownGolden(t *testing.T) {
	for _, ratio := range []bool{false, true} {
		c := TrickyCube(ratio)
		for _, bc := range BreakdownCases(c) {
			if !slices.Contains(s.GoldenBreakdowns, bc.Name) {
				continue
			}
			name := "breakdown_" + c.Name + "_" + bc.Name
			text, args := s.BreakdownSQL(t, GoldenBreakdown(c), bc.Request)
			s.Golden(t, name, text)
			rendered, err := s.RenderBreakdown(GoldenBreakdown(c), bc.Request)
			if err != nil {
				t.Fatalf("RenderBreakdown: %v", err)
			}
			if want := s.inline(text, args); rendered != want {
				t.Errorf("RenderBreakdown(%s) is not the query with its arguments inlined:\n%s\nwant:\n%s", name, rendered, want)
			}
			s.checkBanned(t, name, text)
		}
	}
}

// TestBreakdownBindsValues checks that no value of a Keep list is written
// into the SQL: each is a parameter, and the text has one ? per argument.
func (s SQL) TestBreakdownBindsValues(t *testing.T) {
	c := TrickyCube(false)
	for _, bc := range BreakdownCases(c) {
		text, args := s.BreakdownSQL(t, c.Query(c.Name), bc.Request)
		if n := strings.Count(text, "?"); n != len(args) {
			t.Errorf("%s: %d placeholders for %d arguments", bc.Name, n, len(args))
		}
		for _, vals := range bc.Request.Keep {
			for _, v := range vals {
				if len(v) > 2 && strings.Contains(text, v) {
					t.Errorf("%s: value %q is written into the SQL", bc.Name, v)
				}
				if !slices.Contains(args, any(v)) {
					t.Errorf("%s: value %q is not among the arguments %q", bc.Name, v, args)
				}
			}
		}
	}
}
