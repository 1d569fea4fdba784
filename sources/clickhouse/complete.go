package clickhouse

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
// sources.Dialect.Arrivals), vigil_newest 0 when none arrived; bind writes
// now. countIf and maxIf run on ClickHouse 18.16; a NULL arrival counts
// nowhere.
func arrivalColumns(q sources.Query, bind func(any) string) []string {
	arr := sources.Paren(q.Arrival)
	lag := "toInt64(toUInt32(" + arr + ")) - " + bucketStart(q)
	var cols []string
	for k, p := range q.ProbeSeconds() {
		cols = append(cols, fmt.Sprintf("toFloat64(countIf(%s <= %d)) AS vigil_arrived_%d", lag, p, k))
	}
	cols = append(cols, "toFloat64(countIf("+arr+" <= "+bind(q.Now.UTC())+")) AS vigil_arrived")
	return append(cols, "ifNull(toFloat64(maxIf(toUInt32("+arr+"), "+arr+" <= "+bind(q.Now.UTC())+")), 0) AS vigil_newest")
}

// bucketStart is the SQL of the Unix seconds at which a row's bucket
// starts: the bucket key itself below a day, else local midnight of the
// key's day in the rule's zone.
func bucketStart(q sources.Query) string {
	key := bucketKey(q)
	if sources.Days(q.Granularity) == 0 {
		return "(" + key + ")"
	}
	return fmt.Sprintf("toInt64(toUInt32(toDateTime(toDate('1970-01-01') + (%s), %s)))", key, stringLiteral(q.Loc().String()))
}
