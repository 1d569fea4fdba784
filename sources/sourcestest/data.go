// Package sourcestest holds what the tests of vigil's sources share: one
// deterministic data set, the queries every dialect must answer alike, the
// series each must return (computed in Go, independently of any SQL), and the
// lookup of the engines a test run has.
package sourcestest

import (
	"math"
	"math/rand/v2"
	"time"
)

// Event is one row of the test table.
type Event struct {
	TS       time.Time
	UserID   int64
	Amount   float64
	Discount float64 // NaN stands for NULL
	Status   string
	Country  string
	Visits   int64
	Orders   int64
}

// Columns and DuckDBTypes describe the test table for duckdb.CreateTable.
var (
	Columns     = []string{"ts", "user_id", "amount", "discount", "status", "country", "visits", "orders"}
	DuckDBTypes = []string{"TIMESTAMP", "BIGINT", "DOUBLE", "DOUBLE", "VARCHAR", "VARCHAR", "BIGINT", "BIGINT"}
)

// Countries include a quote and non-ASCII text, which must survive loading
// and filtering in every engine.
var countries = []string{"DE", "US", "Côte d'Ivoire", "日本"}

// periods of data: each crosses a daylight saving change in Europe/Berlin
// (spring forward on 2024-03-31, fall back on 2024-10-27).
var periods = [][2]time.Time{
	{time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 3, 0, 0, 0, 0, time.UTC)},
	{time.Date(2024, 10, 24, 0, 0, 0, 0, time.UTC), time.Date(2024, 10, 30, 0, 0, 0, 0, time.UTC)},
}

// Hours with something special, in UTC.
var (
	// NoVisitsHour has events whose visits are all zero: a ratio over it has
	// rows but no denominator.
	NoVisitsHour = time.Date(2024, 3, 29, 10, 0, 0, 0, time.UTC)
	// NullDiscountHour has events whose discount is all NULL.
	NullDiscountHour = time.Date(2024, 3, 29, 11, 0, 0, 0, time.UTC)
	// GapStart begins six hours without any event.
	GapStart = time.Date(2024, 3, 30, 22, 0, 0, 0, time.UTC)
)

// Events returns the test data: about five events an hour over two weeks of
// 2024, with hours that have none, a six-hour gap, events exactly on bucket
// starts, and the special hours above. The same call always returns the same
// events.
func Events() []Event {
	rng := rand.New(rand.NewPCG(20240331, 7))
	var evs []Event
	for _, p := range periods {
		for h := p[0]; h.Before(p[1]); h = h.Add(time.Hour) {
			evs = append(evs, hour(rng, h)...)
		}
	}
	return evs
}

func hour(rng *rand.Rand, h time.Time) []Event {
	n := rng.IntN(9)
	gap := !h.Before(GapStart) && h.Before(GapStart.Add(6*time.Hour))
	if gap || h.Hour()%7 == 3 && h.Day()%2 == 0 {
		return nil
	}
	evs := make([]Event, 0, n+1)
	for i := 0; i <= n; i++ {
		off := time.Duration(rng.IntN(3600)) * time.Second
		if i == 0 {
			off = 0 // on the bucket start
		}
		e := Event{
			TS:       h.Add(off),
			UserID:   1 + rng.Int64N(12),
			Amount:   math.Round(rng.Float64()*20000) / 100,
			Discount: math.NaN(),
			Status:   pick(rng, []string{"paid", "paid", "paid", "pending", "pending", "refunded"}),
			Country:  pick(rng, countries),
			Visits:   rng.Int64N(4),
			Orders:   rng.Int64N(2),
		}
		if rng.IntN(2) == 0 && !h.Equal(NullDiscountHour) {
			e.Discount = math.Round(rng.Float64()*500) / 100
		}
		if h.Equal(NoVisitsHour) {
			e.Visits = 0
		}
		evs = append(evs, e)
	}
	return evs
}

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

// Rows returns the events as rows for duckdb.CreateTable, in Columns order.
func Rows(evs []Event) [][]any {
	rows := make([][]any, len(evs))
	for i, e := range evs {
		var disc any
		if !math.IsNaN(e.Discount) {
			disc = e.Discount
		}
		rows[i] = []any{e.TS.UTC(), e.UserID, e.Amount, disc, e.Status, e.Country, e.Visits, e.Orders}
	}
	return rows
}
