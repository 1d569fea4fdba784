package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"vigil/detector"
	"vigil/sources"
)

var _ sources.ArrivalSource = (*Source)(nil)

// QueryArrivals runs q's one aggregated query, which also counts per
// bucket the rows that had arrived by each probe and by q.Now, and returns
// the series and those arrivals.
func (s *Source) QueryArrivals(ctx context.Context, q sources.Query) (detector.Series, detector.Arrivals, error) {
	fail := func(err error) (detector.Series, detector.Arrivals, error) {
		return detector.Series{}, detector.Arrivals{}, err
	}
	if err := q.Validate(); err != nil {
		return fail(err)
	}
	if err := q.ValidateArrivals(); err != nil {
		return fail(err)
	}
	if sources.Days(q.Granularity) > 0 && !isUTC(q.Loc()) && !s.icu {
		return fail(fmt.Errorf("rule %q: calendar buckets in %s need DuckDB's ICU extension, "+
			"which this database has not loaded (add INSTALL icu and LOAD icu to init)", q.Rule, q.Loc()))
	}
	var args []any
	text, err := build(q, func(t time.Time) string {
		args = append(args, t)
		return "?"
	})
	if err != nil {
		return fail(err)
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	rows, err := s.fetch(ctx, q, text, args)
	if err != nil {
		return fail(queryError(ctx, q, err))
	}
	return sources.FillArrivals(q, rows)
}

// arrivalColumns are the columns that count arrivals: vigil_arrived_K, the
// rows whose arrival lies at most probe K after their bucket's start, then
// vigil_arrived, the rows that arrived by now, and vigil_newest, the latest
// arrival by now in Unix seconds. bound writes now.
func arrivalColumns(q sources.Query, bound func(time.Time) string) ([]string, error) {
	if err := q.ValidateArrivals(); err != nil {
		return nil, err
	}
	arr := sources.Paren(q.Arrival)
	lag := "epoch(" + arr + ") - " + bucketStart(q)
	var cols []string
	for k, p := range q.ProbeSeconds() {
		cols = append(cols, fmt.Sprintf("CAST(count(*) FILTER (WHERE %s <= %d) AS DOUBLE) AS vigil_arrived_%d", lag, p, k))
	}
	cols = append(cols, "CAST(count(*) FILTER (WHERE "+arr+" <= "+bound(q.Now.UTC())+") AS DOUBLE) AS vigil_arrived")
	return append(cols, "CAST(max(epoch("+arr+")) FILTER (WHERE "+arr+" <= "+bound(q.Now.UTC())+") AS DOUBLE) AS vigil_newest"), nil
}

// bucketStart is the SQL of the Unix seconds at which a row's bucket
// starts: the bucket key itself below a day, else local midnight of the
// key's day in the rule's zone.
func bucketStart(q sources.Query) string {
	key := bucketKey(q)
	switch {
	case sources.Days(q.Granularity) == 0:
		return "(" + key + ")"
	case isUTC(q.Loc()):
		return "(" + key + ") * 86400"
	}
	return fmt.Sprintf("epoch(timezone(%s, TIMESTAMP '1970-01-01' + to_days(CAST(%s AS INTEGER))))", quote(q.Loc().String()), key)
}

// arrivalScanner reads a row of a query with arrival columns: the bucket
// key, the value (or numerator and denominator), the counts and the newest
// arrival.
func arrivalScanner(q sources.Query) func(*sql.Rows) (sources.Row, error) {
	values := 1
	if q.Kind() == sources.KindRatio {
		values = 2
	}
	return func(rows *sql.Rows) (sources.Row, error) {
		var key int64
		cols := make([]sql.NullFloat64, values+len(q.Probes)+2)
		dest := []any{&key}
		for i := range cols {
			dest = append(dest, &cols[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return sources.Row{}, err
		}
		r := sources.Row{Bucket: sources.KeyTime(key, q), Value: orNaN(cols[0])}
		if values == 2 {
			r = sources.RatioRow(r.Bucket, orNaN(cols[0]), cols[1].Float64)
		}
		for _, c := range cols[values : len(cols)-1] {
			r.Arrived = append(r.Arrived, c.Float64)
		}
		if last := cols[len(cols)-1]; last.Valid && !math.IsNaN(last.Float64) {
			r.Newest = time.Unix(0, int64(last.Float64*1e9)).UTC()
		}
		return r, nil
	}
}
