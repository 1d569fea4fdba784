package clickhouse

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

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
	var args []any
	text, err := build(q, func(t time.Time) string {
		args = append(args, t)
		return "?"
	})
	if err != nil {
		return fail(err)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	qctx, qcancel := s.queryContext(ctx)
	defer qcancel()
	rows, err := s.fetch(qctx, q, text, args)
	if err != nil {
		return fail(s.queryError(ctx, q, err))
	}
	return sources.FillArrivals(q, rows)
}

// arrivalColumns are the columns that count arrivals: vigil_arrived_K, the
// rows whose arrival lies at most probe K after their bucket's start, then
// vigil_arrived, the rows that arrived by now, and vigil_newest, the latest
// arrival by now in Unix seconds (0 when none). bound writes now. countIf
// and maxIf run on ClickHouse 18.16; a NULL arrival counts nowhere.
func arrivalColumns(q sources.Query, bound func(time.Time) string) ([]string, error) {
	if err := q.ValidateArrivals(); err != nil {
		return nil, err
	}
	arr := sources.Paren(q.Arrival)
	lag := "toInt64(toUInt32(" + arr + ")) - " + bucketStart(q)
	var cols []string
	for k, p := range q.ProbeSeconds() {
		cols = append(cols, fmt.Sprintf("toFloat64(countIf(%s <= %d)) AS vigil_arrived_%d", lag, p, k))
	}
	cols = append(cols, "toFloat64(countIf("+arr+" <= "+bound(q.Now.UTC())+")) AS vigil_arrived")
	return append(cols, "ifNull(toFloat64(maxIf(toUInt32("+arr+"), "+arr+" <= "+bound(q.Now.UTC())+")), 0) AS vigil_newest"), nil
}

// bucketStart is the SQL of the Unix seconds at which a row's bucket
// starts: the bucket key itself below a day, else local midnight of the
// key's day in the rule's zone.
func bucketStart(q sources.Query) string {
	key := bucketKey(q)
	if sources.Days(q.Granularity) == 0 {
		return "(" + key + ")"
	}
	return fmt.Sprintf("toInt64(toUInt32(toDateTime(toDate('1970-01-01') + (%s), %s)))", key, quote(q.Loc().String()))
}

// arrivalScanner reads a row of a query with arrival columns: the bucket
// key, the value (or numerator and denominator), the counts and the newest
// arrival.
func arrivalScanner(q sources.Query) scanFunc {
	values := 1
	if q.Kind() == sources.KindRatio {
		values = 2
	}
	return func(rows driver.Rows) (sources.Row, error) {
		var key int64
		cols := make([]float64, values+len(q.Probes)+2)
		dest := []any{&key}
		for i := range cols {
			dest = append(dest, &cols[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return sources.Row{}, err
		}
		r := sources.Row{Bucket: sources.KeyTime(key, q), Value: cols[0]}
		if values == 2 {
			den := cols[1]
			if math.IsNaN(den) {
				den = 0
			}
			r = sources.RatioRow(r.Bucket, cols[0], den)
		}
		r.Arrived = append(r.Arrived, cols[values:len(cols)-1]...)
		if last := cols[len(cols)-1]; last > 0 {
			r.Newest = time.Unix(int64(last), 0).UTC()
		}
		return r, nil
	}
}
