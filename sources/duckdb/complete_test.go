package duckdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"vigil/sources/sourcestest"
)

// openArrivals returns a source holding sourcestest.ArrivalData as table
// arrivals (TIMESTAMP) and view arrivals_tz (TIMESTAMPTZ).
func openArrivals(t *testing.T) *Source {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Options{Init: []string{"SET GLOBAL threads = 2"}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
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
	s := openArrivals(t)
	rs := sourcestest.ArrivalData.Rows()
	for _, table := range []string{"arrivals", "arrivals_tz"} {
		for _, c := range sourcestest.ArrivalCases(table) {
			t.Run(table+"/"+c.Name, func(t *testing.T) {
				wantS, wantA, err := c.Want(rs)
				if err != nil {
					t.Fatalf("Want: %v", err)
				}
				gotS, gotA, err := s.QueryArrivals(context.Background(), c.Query)
				if err != nil {
					t.Fatalf("QueryArrivals: %v", err)
				}
				if d := sourcestest.Diff(gotS, wantS); d != "" {
					t.Errorf("series differs from the reference:\n%s", d)
				}
				if d := sourcestest.DiffArrivals(gotA, wantA); d != "" {
					t.Errorf("arrivals differ from the reference:\n%s", d)
				}
				plain, err := s.Query(context.Background(), c.Query)
				if err != nil {
					t.Fatalf("Query: %v", err)
				}
				if d := sourcestest.Diff(plain, wantS); d != "" {
					t.Errorf("Query of an arrival query differs:\n%s", d)
				}
			})
		}
	}
}

// TestQueryArrivalsNulls: a row without an arrival time has not arrived.
func TestQueryArrivalsNulls(t *testing.T) {
	s := openArrivals(t)
	ctx := context.Background()
	c := sourcestest.ArrivalCases("arrivals")[0]
	_, before, err := s.QueryArrivals(ctx, c.Query)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, "INSERT INTO arrivals VALUES (TIMESTAMP '2024-04-02 09:30:00', NULL, 5, 'DE')"); err != nil {
		t.Fatal(err)
	}
	series, after, err := s.QueryArrivals(ctx, c.Query)
	if err != nil {
		t.Fatal(err)
	}
	if d := sourcestest.DiffArrivals(after, before); d != "" {
		t.Errorf("a row without arrival time changed the arrivals:\n%s", d)
	}
	i, _ := series.Index(time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC))
	if series.Values[i] != before.Final[i]+1 {
		t.Errorf("count of 09:00 = %v, want the %v arrived rows and the one without arrival time", series.Values[i], before.Final[i])
	}
}

func TestQueryArrivalsErrors(t *testing.T) {
	s := openArrivals(t)
	c := sourcestest.ArrivalCases("arrivals")[0]
	q := c.Query
	q.Probes = nil
	if _, _, err := s.QueryArrivals(context.Background(), q); err == nil || !strings.Contains(err.Error(), "probe") {
		t.Errorf("QueryArrivals without probes = %v, want an error about probes", err)
	}
	q = c.Query
	q.Arrival = "no_such_column"
	if _, _, err := s.QueryArrivals(context.Background(), q); err == nil || !strings.Contains(err.Error(), `rule "arrivals_hourly"`) {
		t.Errorf("QueryArrivals on a missing column = %v, want an error naming the rule", err)
	}
}
