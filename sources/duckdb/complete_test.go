package duckdb

import (
	"context"
	"testing"

	"vigil/sources/sourcestest"
)

// openArrivals returns a source holding sourcestest.ArrivalData as table
// arrivals (TIMESTAMP) and view arrivals_tz (TIMESTAMPTZ).
func openArrivals(t *testing.T) *Source {
	t.Helper()
	ctx := context.Background()
	s := openMemory(t)
	rows := sourcestest.ArrivalRows(sourcestest.ArrivalData.Rows())
	if err := s.CreateTable(ctx, "arrivals", sourcestest.ArrivalColumns, sourcestest.ArrivalTypes, rows); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	view := "CREATE VIEW arrivals_tz AS SELECT * REPLACE (CAST(ts AS TIMESTAMPTZ) AS ts, CAST(ingested_at AS TIMESTAMPTZ) AS ingested_at) FROM arrivals"
	if _, err := s.DB().ExecContext(ctx, view); err != nil {
		t.Fatalf("create view: %v", err)
	}
	return s
}

func TestQueryArrivals(t *testing.T) {
	e := engine(openArrivals(t))
	for _, table := range []string{"arrivals", "arrivals_tz"} {
		t.Run(table, func(t *testing.T) { e.TestQueryArrivals(t, table) })
	}
}

func TestQueryArrivalsNulls(t *testing.T) {
	s := openArrivals(t)
	engine(s).TestArrivalNulls(t, "arrivals", func(ctx context.Context) error {
		at := sourcestest.NullArrivalAt.Format("2006-01-02 15:04:05")
		_, err := s.DB().ExecContext(ctx, "INSERT INTO arrivals VALUES (TIMESTAMP '"+at+"', NULL, 5, 'DE')")
		return err
	})
}

func TestQueryArrivalsErrors(t *testing.T) { engine(openArrivals(t)).TestArrivalErrors(t, "arrivals") }
