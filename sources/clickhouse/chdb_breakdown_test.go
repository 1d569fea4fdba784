package clickhouse

import (
	"fmt"
	"slices"
	"testing"

	"vigil/sources"
	"vigil/sources/sourcestest"
)

// TestChDBBreakdown runs the golden breakdown SQL on a current ClickHouse
// (chDB) over each tricky cube and checks the cells against the reference,
// so that the UNION ALL form written for 18.16 is proven on today's
// releases too.
func TestChDBBreakdown(t *testing.T) {
	dir := sourcestest.ChDBDir(t)
	for _, ratio := range []bool{false, true} {
		c := sourcestest.TrickyCube(ratio)
		setup := append([]string{c.ClickHouseCreate(sourcestest.GoldenTable)}, c.ClickHouseInserts(sourcestest.GoldenTable)...)
		var queries []chdbQuery
		cases := map[string]sourcestest.BreakdownCase{}
		for _, bc := range sourcestest.BreakdownCases(c) {
			if !slices.Contains(sqlTests().GoldenBreakdowns, bc.Name) {
				continue
			}
			q := sourcestest.GoldenBreakdown(c)
			text, _ := sqlTests().BreakdownSQL(t, q, bc.Request)
			name := "breakdown_" + c.Name + "_" + bc.Name
			sqlTests().Golden(t, name, text) // what runs below is the golden SQL
			rendered, err := (&Source{}).RenderBreakdown(q, bc.Request)
			if err != nil {
				t.Fatal(err)
			}
			queries = append(queries, chdbQuery{Name: name, SQL: rendered})
			cases[name] = bc
		}
		version, results := runChDB(t, dir, setup, queries)
		t.Logf("chDB runs ClickHouse %s", version)
		for name, bc := range cases {
			t.Run(name, func(t *testing.T) {
				r, ok := results[name]
				if !ok || r.Error != "" {
					t.Fatalf("chDB did not run the golden SQL of %s: %s", name, r.Error)
				}
				p, err := sources.NewPlan(c.Query(sourcestest.GoldenTable), bc.Request)
				if err != nil {
					t.Fatal(err)
				}
				rows, err := chdbBreakdownRows(r, p)
				if err != nil {
					t.Fatalf("chDB rows: %v", err)
				}
				got, err := p.Cells(rows)
				if err != nil {
					t.Fatalf("Cells: %v", err)
				}
				want, err := c.WantCells(bc.Request)
				if err != nil {
					t.Fatal(err)
				}
				if d := sourcestest.DiffCells(got, want); d != "" {
					t.Errorf("chDB result of %s differs from the reference:\n%s", name, d)
				}
			})
		}
	}
}

// chdbBreakdownRows reads chDB's JSON rows the way fetchBreakdown reads the
// server's: set, period, one column per dimension, then the numbers.
func chdbBreakdownRows(r chdbResult, p *sources.Plan) ([]sources.BreakdownRow, error) {
	width := 2 + len(p.Dims) + 1
	if p.Ratio() {
		width++
	}
	var out []sources.BreakdownRow
	for _, cells := range r.Data {
		if len(cells) != width {
			return nil, fmt.Errorf("row %v has %d columns, want %d", cells, len(cells), width)
		}
		set, err := jsonNumber(cells[0])
		if err != nil {
			return nil, err
		}
		period, err := jsonNumber(cells[1])
		if err != nil {
			return nil, err
		}
		row := sources.BreakdownRow{Set: int(set), Period: int(period)}
		for _, v := range cells[2 : 2+len(p.Dims)] {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("dimension value %v is not a string", v)
			}
			row.Values = append(row.Values, s)
		}
		nums := cells[2+len(p.Dims):]
		if row.Value, err = jsonNumber(nums[0]); err != nil {
			return nil, err
		}
		row.Num = row.Value
		if p.Ratio() {
			if row.Den, err = jsonNumber(nums[1]); err != nil {
				return nil, err
			}
		}
		out = append(out, row)
	}
	return out, nil
}
