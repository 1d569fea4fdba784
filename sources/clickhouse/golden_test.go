package clickhouse

import (
	"flag"
	"testing"

	"vigil/sources/sourcestest"
)

var update = flag.Bool("update", false, "rewrite the golden SQL files in testdata/golden")

// sqlTests is ClickHouse's SQL for the shared SQL tests. The SQL must run on
// ClickHouse 18.16, which lacks the banned words.
func sqlTests() sourcestest.SQL {
	return sourcestest.SQL{Raw: sourcestest.ClickHouse, Dialect: dialect, Breakdown: buildBreakdown,
		Render: (&Source{}).Render, RenderBreakdown: (&Source{}).RenderBreakdown,
		GoldenBreakdowns: []string{"each_dimension", "pair_both_orders", "keep_tricky", "keep_none"},
		Banned:           []string{"toStartOfInterval", "WITH FILL", "DateTime64", "FILTER (WHERE", "GROUPING SETS"},
		Update:           *update}
}

func TestGolden(t *testing.T)          { sqlTests().TestGolden(t) }
func TestBreakdownGolden(t *testing.T) { sqlTests().TestBreakdownGolden(t) }

func TestBreakdownBindsValues(t *testing.T) { sqlTests().TestBreakdownBindsValues(t) }
