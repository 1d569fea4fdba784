package clickhouse

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"vigil/sources/sourcestest"
)

// loadArrivals opens the test server and loads sourcestest.ArrivalData
// into a table of its own, with a Nullable arrival column, dropped when the
// test ends.
func loadArrivals(t *testing.T) (*Source, string) {
	t.Helper()
	dsn := sourcestest.ClickHouseDSN(t)
	ctx := context.Background()
	s, err := Open(ctx, Options{DSN: dsn, ConnectTimeout: 5 * time.Second, QueryTimeout: time.Minute})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	table := fmt.Sprintf("vigil_test_arrivals_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	rows := sourcestest.ArrivalRows(sourcestest.ArrivalData.Rows())
	stmts, err := sourcestest.ClickHouseTable(table, sourcestest.ArrivalColumns, sourcestest.ArrivalTypes, rows)
	if err != nil {
		t.Fatal(err)
	}
	stmts[0] = strings.Replace(stmts[0], "ingested_at DateTime", "ingested_at Nullable(DateTime)", 1)
	for _, st := range append([]string{dropTable(table)}, stmts...) {
		if err := s.Conn().Exec(ctx, st); err != nil {
			t.Fatalf("load arrival data: %.200s: %v", st, err)
		}
	}
	t.Cleanup(func() { s.Conn().Exec(context.Background(), dropTable(table)) })
	return s, table
}

func TestQueryArrivals(t *testing.T) {
	s, table := loadArrivals(t)
	rs := sourcestest.ArrivalData.Rows()
	for _, c := range sourcestest.ArrivalCases(table) {
		t.Run(c.Name, func(t *testing.T) {
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

// TestQueryArrivalsNulls: a row without an arrival time has not arrived.
func TestQueryArrivalsNulls(t *testing.T) {
	s, table := loadArrivals(t)
	ctx := context.Background()
	q := sourcestest.ArrivalCases(table)[0].Query
	_, before, err := s.QueryArrivals(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	insert := "INSERT INTO " + table + " (ts, ingested_at, amount, country) SELECT toDateTime(1712050200), NULL, 5, 'DE'"
	if err := s.Conn().Exec(ctx, insert); err != nil {
		t.Fatal(err)
	}
	series, after, err := s.QueryArrivals(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if d := sourcestest.DiffArrivals(after, before); d != "" {
		t.Errorf("a row without arrival time changed the arrivals:\n%s", d)
	}
	i, _ := series.Index(time.Unix(1712050200, 0))
	if series.Values[i] != before.Final[i]+1 {
		t.Errorf("count at %s = %v, want the %v arrived rows and the one without arrival time", series.Time(i), series.Values[i], before.Final[i])
	}
	q.Probes = nil
	if _, _, err := s.QueryArrivals(ctx, q); err == nil {
		t.Error("QueryArrivals without probes = nil, want an error")
	}
}
