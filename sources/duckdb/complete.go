package duckdb

import (
	"context"
	"fmt"

	"vigil/detector"
	"vigil/sources"
)

var _ sources.ArrivalSource = (*Source)(nil)

// QueryArrivals runs q's one aggregated query, which also counts per
// bucket the rows that had arrived by each probe and by q.Now, and returns
// the series and those arrivals.
func (s *Source) QueryArrivals(ctx context.Context, q sources.Query) (detector.Series, detector.Arrivals, error) {
	return sources.RunArrivals(ctx, q, s.run)
}

// arrivalColumns are the columns that count arrivals (see
// sources.Dialect.Arrivals); bind writes now.
func arrivalColumns(q sources.Query, bind func(any) string) []string {
	arr := sources.Paren(q.Arrival)
	lag := "epoch(" + arr + ") - " + bucketStart(q)
	var cols []string
	for k, p := range q.ProbeSeconds() {
		cols = append(cols, fmt.Sprintf("CAST(count(*) FILTER (WHERE %s <= %d) AS DOUBLE) AS vigil_arrived_%d", lag, p, k))
	}
	cols = append(cols, "CAST(count(*) FILTER (WHERE "+arr+" <= "+bind(q.Now.UTC())+") AS DOUBLE) AS vigil_arrived")
	return append(cols, "CAST(max(epoch("+arr+")) FILTER (WHERE "+arr+" <= "+bind(q.Now.UTC())+") AS DOUBLE) AS vigil_newest")
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
