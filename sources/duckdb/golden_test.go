package duckdb

import (
	"flag"
	"testing"

	"vigil/sources/sourcestest"
)

var update = flag.Bool("update", false, "rewrite the golden SQL files in testdata/golden")

// sqlTests is DuckDB's SQL for the shared SQL tests.
func sqlTests() sourcestest.SQL {
	return sourcestest.SQL{Raw: sourcestest.DuckDB, Dialect: dialect, Breakdown: buildBreakdown,
		Render: (&Source{}).Render, RenderBreakdown: (&Source{}).RenderBreakdown,
		GoldenBreakdowns: []string{"each_dimension", "keep_tricky", "keep_none"}, Update: *update}
}

func TestGolden(t *testing.T)          { sqlTests().TestGolden(t) }
func TestBreakdownGolden(t *testing.T) { sqlTests().TestBreakdownGolden(t) }

func TestBreakdownBindsValues(t *testing.T) { sqlTests().TestBreakdownBindsValues(t) }
