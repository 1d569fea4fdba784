package sourcestest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestQueryArrivals runs every arrival case on table, which holds
// ArrivalData: series and arrivals must match the reference, and Query
// must return the same series.
func (e Engine) TestQueryArrivals(t *testing.T, table string) {
	rs := ArrivalData.Rows()
	for _, c := range ArrivalCases(table) {
		t.Run(c.Name, func(t *testing.T) {
			wantS, wantA, err := c.Want(rs)
			if err != nil {
				t.Fatalf("Want: %v", err)
			}
			gotS, gotA, err := e.Source.QueryArrivals(context.Background(), c.Query)
			if err != nil {
				t.Fatalf("QueryArrivals: %v", err)
			}
			if d := Diff(gotS, wantS); d != "" {
				t.Errorf("series differs from the reference:\n%s", d)
			}
			if d := DiffArrivals(gotA, wantA); d != "" {
				t.Errorf("arrivals differ from the reference:\n%s", d)
			}
			plain, err := e.Source.Query(context.Background(), c.Query)
			if err != nil {
				t.Fatalf("Query: %v", err)
			}
			if d := Diff(plain, wantS); d != "" {
				t.Errorf("Query of an arrival query differs:\n%s", d)
			}
		})
	}
}

// NullArrivalAt is when the row without an arrival time that
// TestArrivalNulls adds happened.
var NullArrivalAt = utc(2024, 4, 2, 9).Add(30 * time.Minute)

// TestArrivalNulls checks that a row without an arrival time has not
// arrived: insert adds one to table, which holds ArrivalData, at
// NullArrivalAt with amount 5 and country DE. It counts in the series and
// changes no arrival count.
func (e Engine) TestArrivalNulls(t *testing.T, table string, insert func(context.Context) error) {
	ctx := context.Background()
	q := ArrivalCases(table)[0].Query
	_, before, err := e.Source.QueryArrivals(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if err := insert(ctx); err != nil {
		t.Fatalf("insert a row without arrival time: %v", err)
	}
	series, after, err := e.Source.QueryArrivals(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if d := DiffArrivals(after, before); d != "" {
		t.Errorf("a row without arrival time changed the arrivals:\n%s", d)
	}
	i, _ := series.Index(NullArrivalAt.Truncate(time.Hour))
	if series.Values[i] != before.Final[i]+1 {
		t.Errorf("count at %s = %v, want the %v arrived rows and the one without arrival time", series.Time(i), series.Values[i], before.Final[i])
	}
}

// TestArrivalErrors checks that an arrival query without probes, or on a
// missing column of table, fails with an error that says so.
func (e Engine) TestArrivalErrors(t *testing.T, table string) {
	c := ArrivalCases(table)[0]
	q := c.Query
	q.Probes = nil
	if _, _, err := e.Source.QueryArrivals(context.Background(), q); err == nil || !strings.Contains(err.Error(), "probe") {
		t.Errorf("QueryArrivals without probes = %v, want an error about probes", err)
	}
	q = c.Query
	q.Arrival = "no_such_column"
	_, _, err := e.Source.QueryArrivals(context.Background(), q)
	if err == nil || !strings.Contains(err.Error(), `rule "`+c.Query.Rule+`"`) || !strings.Contains(err.Error(), "no_such_column") {
		t.Errorf("QueryArrivals on a missing column = %v, want an error naming the rule and the column", err)
	}
}
