package clickhouse

import (
	"strings"
	"testing"

	"vigil/sources"
	"vigil/sources/sourcestest"
)

// cubes loads each cube into a table of its own.
var cubes sourcestest.CubeLoader = func(t testing.TB, c *sourcestest.Cube) (sources.Breakdowner, string) {
	s, table := loadCube(t, c)
	return s, table
}

// loadCube opens the test server and loads cube c into a table of its own.
func loadCube(t testing.TB, c *sourcestest.Cube) (*Source, string) {
	t.Helper()
	s, table := open(t), tableName(c.Name)
	setUp(t, s, table, append([]string{c.ClickHouseCreate(table)}, c.ClickHouseInserts(table)...)...)
	return s, table
}

func TestBreakdownCases(t *testing.T)  { cubes.TestBreakdownCases(t) }
func TestExplainCubes(t *testing.T)    { cubes.TestExplainCubes(t) }
func TestBreakdownErrors(t *testing.T) { cubes.TestBreakdownErrors(t) }

// TestBreakdownZonedColumn loads the cube into a table whose time column
// has its own zone: the buckets must select the same rows.
func TestBreakdownZonedColumn(t *testing.T) {
	c := sourcestest.TrickyCube(false)
	s, plain := loadCube(t, c)
	table := plain + "_tokyo"
	create := strings.Replace(c.ClickHouseCreate(table), "ts DateTime", "ts DateTime('Asia/Tokyo')", 1)
	setUp(t, s, table, create, "INSERT INTO "+table+" SELECT * FROM "+plain)
	sourcestest.CheckBreakdown(t, s, c, table, sourcestest.BreakdownCases(c)[0].Request)
}
