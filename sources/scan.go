package sources

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Rows is a driver's result set, as Collect reads it: database/sql's and
// clickhouse-go's both fit.
type Rows interface {
	Next() bool
	Err() error
	Close() error
}

// Collect reads every row of rows with scan, which reads the current one,
// and closes rows.
func Collect[T any](rows Rows, scan func() (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		r, err := scan()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}

// Width returns the number of columns that BuildQuery writes for q after
// the bucket key: the value, or a ratio's numerator and denominator, then
// for arrivals one count per probe, the count by now and the newest
// arrival.
func (q Query) Width() int {
	n := 1
	if q.Kind() == KindRatio {
		n = 2
	}
	if q.Arrival != "" {
		n += len(q.Probes) + 2
	}
	return n
}

// KeyedRow makes the Row of one result row of a query that BuildQuery
// wrote: key is its bucket key and cols the q.Width() columns after it,
// NaN standing for NULL. A NULL denominator is zero, and a NaN newest
// arrival means that none arrived.
func KeyedRow(q Query, key int64, cols []float64) Row {
	r := Row{Bucket: KeyTime(key, q), Value: cols[0]}
	n := 1
	if q.Kind() == KindRatio {
		den := cols[1]
		if math.IsNaN(den) {
			den = 0
		}
		r, n = RatioRow(r.Bucket, cols[0], den), 2
	}
	if q.Arrival == "" {
		return r
	}
	last := len(cols) - 1
	r.Arrived = append([]float64(nil), cols[n:last]...)
	if !math.IsNaN(cols[last]) {
		r.Newest = time.Unix(0, int64(cols[last]*1e9)).UTC()
	}
	return r
}

// CheckRawColumns reports a raw SQL result whose columns, named by names,
// are not two (bucket, value).
func CheckRawColumns(names []string) error {
	if len(names) != 2 {
		return fmt.Errorf("sql must return 2 columns (bucket, value), got %d: %s", len(names), strings.Join(names, ", "))
	}
	return nil
}

// RawRow reads a (bucket, value) row of raw SQL, as BucketTime and Number
// read them; date says that the bucket column is a date, which is the
// local day in q's zone (see DateBucket).
func RawRow(q Query, bucket, value any, date bool) (Row, error) {
	read := BucketTime
	if date {
		read = DateBucket
	}
	t, err := read(bucket, q)
	if err != nil {
		return Row{}, err
	}
	f, err := Number(value)
	if err != nil {
		return Row{}, fmt.Errorf("bucket %s: %w", t.Format(time.RFC3339), err)
	}
	return Row{Bucket: t, Value: f}, nil
}
