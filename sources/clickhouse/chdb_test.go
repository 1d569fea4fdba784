package clickhouse

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/sources"
	"vigil/sources/sourcestest"
)

type (
	chdbQuery  = sourcestest.ChDBStep
	chdbResult = sourcestest.ChDBResult
)

// runChDB runs setup then queries in a fresh chDB database.
func runChDB(t *testing.T, dir string, setup []string, queries []chdbQuery) (string, map[string]chdbResult) {
	t.Helper()
	steps := make([]sourcestest.ChDBStep, 0, len(setup)+len(queries))
	for _, st := range setup {
		steps = append(steps, sourcestest.ChDBStep{SQL: st})
	}
	return sourcestest.RunChDB(t, dir, filepath.Join(t.TempDir(), "chdb"), append(steps, queries...))
}

// TestChDB runs every golden query on a current ClickHouse (chDB) over the
// same data and checks that it returns the reference series, so the SQL
// that suits 18.16 is proven on today's releases too.
func TestChDB(t *testing.T) {
	dir := sourcestest.ChDBDir(t)
	evs := sourcestest.Events()
	setup := append([]string{sourcestest.ClickHouseCreate(sourcestest.GoldenTable, "DateTime")},
		sourcestest.ClickHouseInserts(sourcestest.GoldenTable, evs)...)
	cases := sourcestest.Cases(sourcestest.GoldenTable)
	var queries []chdbQuery
	for _, c := range cases {
		q := c.For(sourcestest.ClickHouse)
		text, _ := sqlTests().QuerySQL(t, q)
		sqlTests().Golden(t, c.Name, text) // what runs below is the golden SQL
		rendered, err := (&Source{}).Render(q)
		if err != nil {
			t.Fatal(err)
		}
		queries = append(queries, chdbQuery{Name: c.Name, SQL: rendered})
	}
	version, results := runChDB(t, dir, setup, queries)
	t.Logf("chDB runs ClickHouse %s", version)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			r, ok := results[c.Name]
			if !ok || r.Error != "" {
				t.Fatalf("chDB did not run the golden SQL of %s: %s", c.Name, r.Error)
			}
			q := c.For(sourcestest.ClickHouse)
			rows, err := chdbRows(r, q)
			if err != nil {
				t.Fatalf("chDB rows: %v", err)
			}
			got, err := sources.Fill(q, rows)
			if err != nil {
				t.Fatalf("Fill: %v", err)
			}
			want, err := c.Want(evs)
			if err != nil {
				t.Fatal(err)
			}
			if d := sourcestest.Diff(got, want); d != "" {
				t.Errorf("chDB result of %s differs from the reference:\n%s", c.Name, d)
			}
		})
	}
}

// chdbRows reads chDB's JSON rows the way Query reads the server's.
func chdbRows(r chdbResult, q sources.Query) ([]sources.Row, error) {
	var rows []sources.Row
	for _, cells := range r.Data {
		if len(cells) != len(r.Meta) {
			return nil, fmt.Errorf("row %v does not match columns %v", cells, r.Meta)
		}
		row, err := chdbRow(cells, r.Meta, q)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func chdbRow(cells []any, meta []struct{ Type string }, q sources.Query) (sources.Row, error) {
	nums := make([]float64, len(cells))
	for i := 1; i < len(cells); i++ {
		n, err := jsonNumber(cells[i])
		if err != nil {
			return sources.Row{}, err
		}
		nums[i] = n
	}
	var b time.Time
	typ := strings.TrimSuffix(strings.TrimPrefix(meta[0].Type, "Nullable("), ")")
	switch {
	case q.Kind() != sources.KindSQL:
		k, err := jsonNumber(cells[0])
		if err != nil {
			return sources.Row{}, err
		}
		b = sources.KeyTime(int64(k), q)
	case isDate(typ):
		d, err := time.Parse("2006-01-02", fmt.Sprint(cells[0]))
		if err != nil {
			return sources.Row{}, err
		}
		b, _ = sources.DateBucket(d, q)
	default:
		k, err := jsonNumber(cells[0])
		if err != nil {
			return sources.Row{}, err
		}
		b = time.Unix(int64(k), 0)
	}
	if q.Kind() == sources.KindRatio {
		den := nums[2]
		if math.IsNaN(den) {
			den = 0
		}
		return sources.RatioRow(b, nums[1], den), nil
	}
	return sources.Row{Bucket: b, Value: nums[1]}, nil
}

// jsonNumber reads a JSONCompact number: a JSON number, a quoted 64-bit
// integer, or null for NULL and nan.
func jsonNumber(v any) (float64, error) {
	switch n := v.(type) {
	case nil:
		return math.NaN(), nil
	case float64:
		return n, nil
	case string:
		return strconv.ParseFloat(n, 64)
	}
	return 0, fmt.Errorf("not a number: %v (%T)", v, v)
}
