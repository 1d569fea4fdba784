package clickhouse

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"vigil/sources/sourcestest"
)

// loadArrivals loads sourcestest.ArrivalData into a table of its own,
// with a Nullable arrival column.
func loadArrivals(t *testing.T, s *Source) string {
	t.Helper()
	table := tableName("arrivals")
	rows := sourcestest.ArrivalRows(sourcestest.ArrivalData.Rows())
	stmts, err := sourcestest.ClickHouseTable(table, sourcestest.ArrivalColumns, sourcestest.ArrivalTypes, rows)
	if err != nil {
		t.Fatal(err)
	}
	stmts[0] = strings.Replace(stmts[0], "ingested_at DateTime", "ingested_at Nullable(DateTime)", 1)
	setUp(t, s, table, stmts...)
	return table
}

func TestQueryArrivals(t *testing.T) {
	s := open(t)
	engine(s).TestQueryArrivals(t, loadArrivals(t, s))
}

func TestQueryArrivalsNulls(t *testing.T) {
	s := open(t)
	table := loadArrivals(t, s)
	engine(s).TestArrivalNulls(t, table, func(ctx context.Context) error {
		at := strconv.FormatInt(sourcestest.NullArrivalAt.Unix(), 10)
		return s.Conn().Exec(ctx, "INSERT INTO "+table+" (ts, ingested_at, amount, country) SELECT toDateTime("+at+"), NULL, 5, 'DE'")
	})
}

func TestQueryArrivalsErrors(t *testing.T) {
	s := open(t)
	engine(s).TestArrivalErrors(t, loadArrivals(t, s))
}
