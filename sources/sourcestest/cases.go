package sourcestest

import (
	"fmt"
	"math"
	"strings"
	"time"

	"vigil/detector"
	"vigil/sources"
)

// Dialect names an SQL dialect, for raw SQL cases.
type Dialect int

// Dialects.
const (
	DuckDB Dialect = iota
	ClickHouse
)

// Case is one query every source must answer alike, with the series it must
// return computed in Go from the events.
type Case struct {
	Name  string
	Query sources.Query // for raw SQL cases, SQL is set by For
	// Raw SQL of each dialect, with %[1]s standing for the table.
	raw map[Dialect]string
	// The reference: which events the query keeps, and what it computes
	// from a bucket's events (value, or num and den for a ratio).
	where    func(Event) bool
	value    func([]Event) float64
	num, den func(Event) float64
}

// For returns the query to run on dialect d.
func (c Case) For(d Dialect) sources.Query {
	q := c.Query
	if raw, ok := c.raw[d]; ok {
		q.SQL = fmt.Sprintf(raw, q.Table)
	}
	return q
}

// Want returns the series the query must return over evs.
func (c Case) Want(evs []Event) (detector.Series, error) {
	q := c.For(DuckDB)
	groups := map[int64][]Event{}
	for _, e := range evs {
		if e.TS.Before(q.From) || !e.TS.Before(q.To) || (c.where != nil && !c.where(e)) {
			continue
		}
		k := sources.Floor(e.TS, q.Granularity, q.Loc()).Unix()
		groups[k] = append(groups[k], e)
	}
	rows := make([]sources.Row, 0, len(groups))
	for k, g := range groups {
		b := time.Unix(k, 0)
		if c.num == nil {
			rows = append(rows, sources.Row{Bucket: b, Value: c.value(g)})
			continue
		}
		rows = append(rows, sources.RatioRow(b, sumOf(g, c.num), sumOf(g, c.den)))
	}
	return sources.Fill(q, rows)
}

func sumOf(evs []Event, f func(Event) float64) float64 {
	s := 0.0
	for _, e := range evs {
		s += f(e)
	}
	return s
}

func count(evs []Event) float64 { return float64(len(evs)) }

func countWhere(keep func(Event) bool) func([]Event) float64 {
	return func(evs []Event) float64 {
		n := 0
		for _, e := range evs {
			if keep(e) {
				n++
			}
		}
		return float64(n)
	}
}

// sumNonNull is SQL's sum(x): NULL (NaN) when every x is NULL.
func sumNonNull(val func(Event) float64) func([]Event) float64 {
	return func(evs []Event) float64 {
		s, n := 0.0, 0
		for _, e := range evs {
			if v := val(e); !math.IsNaN(v) {
				s, n = s+v, n+1
			}
		}
		if n == 0 {
			return math.NaN()
		}
		return s
	}
}

// sumIf is ClickHouse's sumIf(x, c) over a column without NULLs: 0 when no
// row matches.
func sumIf(val func(Event) float64, keep func(Event) bool) func([]Event) float64 {
	return func(evs []Event) float64 {
		s := 0.0
		for _, e := range evs {
			if keep(e) {
				s += val(e)
			}
		}
		return s
	}
}

func all(Event) bool                { return true }
func amount(e Event) float64        { return e.Amount }
func discount(e Event) float64      { return e.Discount }
func paid(e Event) bool             { return e.Status == "paid" }
func refunded(e Event) bool         { return e.Status == "refunded" }
func japan(e Event) bool            { return e.Country == "日本" }
func paidNotIvory(e Event) bool     { return paid(e) && e.Country != "Côte d'Ivoire" }
func visits(e Event) float64        { return float64(e.Visits) }
func orders(e Event) float64        { return float64(e.Orders) }
func utc(y, m, d, h int) time.Time  { return time.Date(y, time.Month(m), d, h, 0, 0, 0, time.UTC) }
func local(y, m, d int) time.Time   { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, Berlin) }
func uniqUsers(evs []Event) float64 { return float64(len(distinct(evs))) }
func distinct(evs []Event) map[int64]bool {
	s := map[int64]bool{}
	for _, e := range evs {
		s[e.UserID] = true
	}
	return s
}

// Berlin is Europe/Berlin, the zone of the calendar cases.
var Berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Cases returns the queries every source must answer alike over the events
// in table: each kind of metric, sub-day and calendar buckets (across both
// daylight saving changes of 2024), gaps, zero counts, NULLs and raw SQL.
func Cases(table string) []Case {
	hourly := func(name string) sources.Query {
		return sources.Query{Rule: name, Table: table, Timestamp: "ts", Granularity: time.Hour,
			Location: time.UTC, From: utc(2024, 3, 29, 0), To: utc(2024, 4, 1, 0)}
	}
	with := func(q sources.Query, f func(*sources.Query)) sources.Query { f(&q); return q }
	return []Case{
		{Name: "count", Query: with(hourly("count"), func(q *sources.Query) { q.Value = "count()" }), value: count},
		{Name: "sum_filter", Query: with(hourly("sum_filter"), func(q *sources.Query) {
			q.Value, q.Filter = "sum(amount)", "status = 'paid' AND country <> 'Côte d''Ivoire'"
		}), where: paidNotIvory, value: sumNonNull(amount)},
		{Name: "uniq", Query: with(hourly("uniq"), func(q *sources.Query) { q.Value = "uniq(user_id)" }), value: uniqUsers},
		{Name: "ratio", Query: with(hourly("ratio"), func(q *sources.Query) { q.Numerator, q.Denominator = "orders", "visits" }),
			num: orders, den: visits},
		{Name: "count_if_zero", Query: with(hourly("count_if_zero"), func(q *sources.Query) { q.Value = "countIf(status = 'refunded')" }),
			value: countWhere(refunded)},
		{Name: "sum_nulls", Query: with(hourly("sum_nulls"), func(q *sources.Query) { q.Value = "sum(discount)" }),
			value: sumNonNull(discount)},
		{Name: "sum_if_6h", Query: with(hourly("sum_if_6h"), func(q *sources.Query) {
			q.Value, q.Granularity, q.From, q.To = "sumIf(amount, country = '日本')", 6*time.Hour, utc(2024, 3, 27, 0), utc(2024, 4, 3, 0)
		}), value: sumIf(amount, japan)},
		{Name: "count_15m_fill_zero", Query: with(hourly("count_15m_fill_zero"), func(q *sources.Query) {
			q.Value, q.Granularity, q.FillZero, q.From, q.To = "count()", 15*time.Minute, true, utc(2024, 3, 30, 20), utc(2024, 3, 31, 4)
		}), value: count},
		{Name: "daily_berlin_spring", Query: daily(table, "daily_berlin_spring", "count()", local(2024, 3, 27), local(2024, 4, 4)), value: count},
		{Name: "daily_berlin_fall", Query: daily(table, "daily_berlin_fall", "sum(amount)", local(2024, 10, 24), local(2024, 10, 31)),
			value: sumNonNull(amount)},
		{Name: "daily_utc", Query: with(daily(table, "daily_utc", "sum(visits)", utc(2024, 3, 28, 0), utc(2024, 4, 3, 0)),
			func(q *sources.Query) { q.Location = time.UTC }), value: sumNonNull(visits)},
		{Name: "weekly_berlin", Query: with(daily(table, "weekly_berlin", "count()", local(2024, 3, 25), local(2024, 4, 8)),
			func(q *sources.Query) { q.Granularity = 7 * 24 * time.Hour }), value: count},
		{Name: "raw_sql", Query: with(hourly("raw_sql"), func(q *sources.Query) { q.Granularity = 2 * time.Hour }),
			raw: rawHourlyPaid, where: paid, value: count},
		{Name: "raw_sql_date", Query: daily(table, "raw_sql_date", "", local(2024, 3, 27), local(2024, 4, 4)),
			raw: rawDailyDate, value: sumNonNull(visits)},
	}
}

func daily(table, name, value string, from, to time.Time) sources.Query {
	return sources.Query{Rule: name, Table: table, Timestamp: "ts", Value: value, Granularity: 24 * time.Hour,
		Location: Berlin, From: from, To: to}
}

// Raw SQL: buckets returned as timestamps, and as dates for calendar days.
var (
	rawHourlyPaid = map[Dialect]string{
		DuckDB: strings.Join([]string{
			"SELECT to_timestamp(floor(epoch(ts) / {{bucket_seconds}}) * {{bucket_seconds}}) AS bucket, count(*) AS paid",
			"FROM %[1]s",
			"WHERE ts >= {{from}} AND ts < {{to}} AND status = 'paid'",
			"GROUP BY bucket"}, "\n"),
		ClickHouse: strings.Join([]string{
			"SELECT toDateTime(intDiv(toUInt32(ts), {{bucket_seconds}}) * {{bucket_seconds}}) AS bucket, count() AS paid",
			"FROM %[1]s",
			"WHERE ts >= {{from}} AND ts < {{to}} AND status = 'paid'",
			"GROUP BY bucket"}, "\n"),
	}
	rawDailyDate = map[Dialect]string{
		DuckDB: strings.Join([]string{
			"SELECT CAST(timezone('Europe/Berlin', CAST(ts AS TIMESTAMPTZ)) AS DATE) AS day, sum(visits) AS visits",
			"FROM %[1]s",
			"WHERE ts >= {{from}} AND ts < {{to}}",
			"GROUP BY day"}, "\n"),
		ClickHouse: strings.Join([]string{
			"SELECT toDate(ts, 'Europe/Berlin') AS day, sum(visits) AS visits",
			"FROM %[1]s",
			"WHERE ts >= {{from}} AND ts < {{to}}",
			"GROUP BY day"}, "\n"),
	}
)
