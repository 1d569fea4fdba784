package sourcestest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"vigil/detector"
	"vigil/sources"
)

// Arrival is one row of an arrival test table: when it happened, when it
// arrived in the warehouse, an amount and a country.
type Arrival struct {
	TS       time.Time
	Ingested time.Time
	Amount   float64
	Country  string
}

// ArrivalColumns and ArrivalTypes describe an arrival test table for
// duckdb.CreateTable and ClickHouseTable.
var (
	ArrivalColumns = []string{"ts", "ingested_at", "amount", "country"}
	ArrivalTypes   = []string{"TIMESTAMP", "TIMESTAMP", "DOUBLE", "VARCHAR"}
)

// ArrivalWorld describes generated arrival data: rows that happen at a
// rate with a daily cycle and arrive after an exponential lag, as a
// warehouse holds them at Now.
type ArrivalWorld struct {
	From, Now time.Time     // rows happen in [From, Now); those that arrived after Now are left out
	PerHour   float64       // mean rows per hour, swinging ±50% over the day
	Lag       time.Duration // mean lag from happening to arriving
	// Stop, when set, is the moment from which nothing arrives.
	Stop time.Time
	// Drop, when set, is the moment from which only DropShare of the rows
	// happen, as when a business metric falls.
	Drop      time.Time
	DropShare float64
	Seed      uint64
}

// Rows returns the world's rows, the same for the same world, with times
// in whole seconds.
func (w ArrivalWorld) Rows() []Arrival {
	rng := rand.New(rand.NewPCG(w.Seed, 11))
	var out []Arrival
	for h := w.From; h.Before(w.Now); h = h.Add(time.Hour) {
		rate := w.PerHour * (1 + 0.5*math.Sin(2*math.Pi*float64(h.Hour())/24))
		for range poisson(rng, rate) {
			ts := h.Add(time.Duration(rng.IntN(3600)) * time.Second)
			if !w.Drop.IsZero() && !ts.Before(w.Drop) && rng.Float64() >= w.DropShare {
				continue
			}
			at := ts.Add(time.Duration(rng.ExpFloat64()*w.Lag.Seconds()) * time.Second)
			if !ts.Before(w.Now) || at.After(w.Now) || !w.Stop.IsZero() && at.After(w.Stop) {
				continue
			}
			out = append(out, Arrival{TS: ts, Ingested: at, Amount: float64(1 + rng.IntN(200)), Country: pick(rng, countries)})
		}
	}
	return out
}

// poisson draws a Poisson count of mean m (a normal approximation above 50).
func poisson(rng *rand.Rand, m float64) int {
	if m > 50 {
		return max(0, int(math.Round(m+math.Sqrt(m)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		if p *= rng.Float64(); p <= l {
			return k
		}
		k++
	}
}

// ArrivalRows returns rows for duckdb.CreateTable and ClickHouseTable, in
// ArrivalColumns order.
func ArrivalRows(rs []Arrival) [][]any {
	out := make([][]any, len(rs))
	for i, r := range rs {
		out[i] = []any{r.TS.UTC(), r.Ingested.UTC(), r.Amount, r.Country}
	}
	return out
}

// ArrivalCase is an arrival query every source must answer alike, with a
// reference computed in Go.
type ArrivalCase struct {
	Name  string
	Query sources.Query
	keep  func(Arrival) bool
	value func([]Arrival) float64
}

// ArrivalData is the world the ArrivalCases read: eight days of 2024 across
// the spring daylight saving change in Europe/Berlin.
var ArrivalData = ArrivalWorld{From: utc(2024, 3, 25, 0), Now: utc(2024, 4, 2, 10).Add(10 * time.Minute),
	PerHour: 20, Lag: 40 * time.Minute, Seed: 3}

// ArrivalCases returns the arrival queries over table, which holds
// ArrivalData's rows: hourly, quarter-hourly with a filter, a ratio, daily
// in UTC and in Berlin, and one evaluated in the past, when later arrivals
// are already in the table.
func ArrivalCases(table string) []ArrivalCase {
	now := ArrivalData.Now
	hourly := func(name string) sources.Query {
		return sources.Query{Rule: name, Table: table, Timestamp: "ts", Value: "count()", Granularity: time.Hour,
			Location: time.UTC, From: utc(2024, 3, 27, 0), To: utc(2024, 4, 2, 11), Arrival: "ingested_at", Now: now,
			Probes: offsets(now, utc(2024, 4, 2, 10), time.Hour, 8)}
	}
	with := func(q sources.Query, f func(*sources.Query)) sources.Query { f(&q); return q }
	count := func(rs []Arrival) float64 { return float64(len(rs)) }
	return []ArrivalCase{
		{Name: "arrivals_hourly", Query: hourly("arrivals_hourly"), value: count},
		{Name: "arrivals_15m_filter", Query: with(hourly("arrivals_15m_filter"), func(q *sources.Query) {
			q.Granularity, q.Value, q.Filter = 15*time.Minute, "sum(amount)", "country = 'Côte d''Ivoire'"
			q.Probes = offsets(now, utc(2024, 4, 2, 10), 15*time.Minute, 12)
		}), keep: func(r Arrival) bool { return r.Country == "Côte d'Ivoire" }, value: sumAmount},
		{Name: "arrivals_ratio", Query: with(hourly("arrivals_ratio"), func(q *sources.Query) {
			q.Value, q.Numerator, q.Denominator = "", "amount", "1"
		}), value: nil},
		{Name: "arrivals_past", Query: with(hourly("arrivals_past"), func(q *sources.Query) {
			q.Now, q.To = now.Add(-5*time.Hour), utc(2024, 4, 2, 6)
			q.Probes = offsets(q.Now, utc(2024, 4, 2, 5), time.Hour, 8)
		}), value: count},
		{Name: "arrivals_daily_utc", Query: with(hourly("arrivals_daily_utc"), func(q *sources.Query) {
			q.Granularity, q.From, q.To = 24*time.Hour, utc(2024, 3, 26, 0), utc(2024, 4, 3, 0)
			q.Probes = offsets(now, utc(2024, 4, 2, 0), 24*time.Hour, 2)
		}), value: count},
		{Name: "arrivals_daily_berlin", Query: with(hourly("arrivals_daily_berlin"), func(q *sources.Query) {
			q.Granularity, q.Location, q.From, q.To = 24*time.Hour, Berlin, local(2024, 3, 26), local(2024, 4, 3)
			q.Probes = []time.Duration{now.Sub(local(2024, 4, 2)), now.Sub(local(2024, 4, 1)), now.Sub(local(2024, 3, 31))}
		}), value: count},
	}
}

func sumAmount(rs []Arrival) float64 {
	s := 0.0
	for _, r := range rs {
		s += r.Amount
	}
	return s
}

// offsets returns the offsets at now of n buckets of width gran, the
// newest starting at newest.
func offsets(now, newest time.Time, gran time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for k := range out {
		out[k] = now.Sub(newest.Add(-time.Duration(k) * gran))
	}
	return out
}

// Want returns the series and arrivals the case's query must return over
// rs.
func (c ArrivalCase) Want(rs []Arrival) (detector.Series, detector.Arrivals, error) {
	q := c.Query
	groups := map[int64][]Arrival{}
	for _, r := range rs {
		if r.TS.Before(q.From) || !r.TS.Before(q.To) || (c.keep != nil && !c.keep(r)) {
			continue
		}
		k := sources.Floor(r.TS, q.Granularity, q.Loc()).Unix()
		groups[k] = append(groups[k], r)
	}
	rows := make([]sources.Row, 0, len(groups))
	for k, g := range groups {
		start := time.Unix(k, 0)
		row := sources.Row{Bucket: start}
		if c.value != nil {
			row.Value = c.value(g)
		} else {
			row = sources.RatioRow(start, sumAmount(g), float64(len(g)))
		}
		for _, p := range q.Probes {
			row.Arrived = append(row.Arrived, arrivedBy(g, start.Add(p)))
		}
		if q.Arrival == "" {
			rows = append(rows, row)
			continue
		}
		row.Arrived = append(row.Arrived, arrivedBy(g, q.Now))
		for _, r := range g {
			if !r.Ingested.After(q.Now) && r.Ingested.After(row.Newest) {
				row.Newest = r.Ingested
			}
		}
		rows = append(rows, row)
	}
	if q.Arrival == "" {
		s, err := sources.Fill(q, rows)
		return s, detector.Arrivals{}, err
	}
	return sources.FillArrivals(q, rows)
}

// ArrivalsOf returns what a source holding rs returns for q, whose value
// is taken to be count(): the series, and the arrivals when q sets Arrival.
func ArrivalsOf(q sources.Query, rs []Arrival) (detector.Series, detector.Arrivals, error) {
	return ArrivalCase{Query: q, value: func(rs []Arrival) float64 { return float64(len(rs)) }}.Want(rs)
}

func arrivedBy(rs []Arrival, t time.Time) float64 {
	n := 0
	for _, r := range rs {
		if !r.Ingested.After(t) {
			n++
		}
	}
	return float64(n)
}

// DiffArrivals describes how got differs from want, or returns "".
func DiffArrivals(got, want detector.Arrivals) string {
	var d []string
	if !got.Now.Equal(want.Now) || !got.Newest.Equal(want.Newest) {
		d = append(d, fmt.Sprintf("now %s, newest %s; want %s, %s", got.Now, got.Newest, want.Now, want.Newest))
	}
	if len(got.Final) != len(want.Final) || len(got.Arrived) != len(want.Arrived) {
		return strings.Join(append(d, fmt.Sprintf("%d buckets, want %d", len(got.Final), len(want.Final))), "\n")
	}
	for i := range want.Final {
		if !Close(got.Final[i], want.Final[i]) {
			d = append(d, fmt.Sprintf("final[%d] = %v, want %v", i, got.Final[i], want.Final[i]))
		}
		for k := range want.Arrived[i] {
			if !Close(got.Arrived[i][k], want.Arrived[i][k]) {
				d = append(d, fmt.Sprintf("arrived[%d][%d] = %v, want %v", i, k, got.Arrived[i][k], want.Arrived[i][k]))
			}
		}
		if len(d) >= 10 {
			return strings.Join(append(d, "..."), "\n")
		}
	}
	return strings.Join(d, "\n")
}
