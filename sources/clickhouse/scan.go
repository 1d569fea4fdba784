package clickhouse

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"vigil/sources"
)

// fetch runs the query and reads its rows.
func (s *Source) fetch(ctx context.Context, q sources.Query, text string, args []any) ([]sources.Row, error) {
	rows, err := s.conn.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	scan := scanner(q)
	if q.Kind() == sources.KindSQL {
		if scan, err = rawScanner(rows, q); err != nil {
			return nil, err
		}
	}
	var out []sources.Row
	for rows.Next() {
		r, err := scan(rows)
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

type scanFunc func(driver.Rows) (sources.Row, error)

// scanner reads one row of a generated query.
func scanner(q sources.Query) scanFunc {
	if q.Arrival != "" && q.Kind() != sources.KindSQL {
		return arrivalScanner(q)
	}
	if q.Kind() == sources.KindRatio {
		return func(rows driver.Rows) (sources.Row, error) {
			var key int64
			var num, den float64
			if err := rows.Scan(&key, &num, &den); err != nil {
				return sources.Row{}, err
			}
			if math.IsNaN(den) {
				den = 0
			}
			return sources.RatioRow(sources.KeyTime(key, q), num, den), nil
		}
	}
	return func(rows driver.Rows) (sources.Row, error) {
		var key int64
		var v float64
		if err := rows.Scan(&key, &v); err != nil {
			return sources.Row{}, err
		}
		return sources.Row{Bucket: sources.KeyTime(key, q), Value: v}, nil
	}
}

// rawScanner reads (bucket, value) rows of raw SQL into values of the
// columns' own Go types; a Date bucket is the local day in the rule's zone.
func rawScanner(rows driver.Rows, q sources.Query) (scanFunc, error) {
	types := rows.ColumnTypes()
	if len(types) != 2 {
		names := make([]string, len(types))
		for i, ct := range types {
			names[i] = ct.Name()
		}
		return nil, fmt.Errorf("sql must return 2 columns (bucket, value), got %d: %s", len(types), strings.Join(names, ", "))
	}
	read := sources.BucketTime
	if isDate(types[0].DatabaseTypeName()) {
		read = sources.DateBucket
	}
	return func(rows driver.Rows) (sources.Row, error) {
		b := reflect.New(types[0].ScanType())
		v := reflect.New(types[1].ScanType())
		if err := rows.Scan(b.Interface(), v.Interface()); err != nil {
			return sources.Row{}, err
		}
		t, err := read(b.Interface(), q)
		if err != nil {
			return sources.Row{}, err
		}
		f, err := sources.Number(v.Interface())
		if err != nil {
			return sources.Row{}, fmt.Errorf("bucket %s: %w", t.Format(time.RFC3339), err)
		}
		return sources.Row{Bucket: t, Value: f}, nil
	}, nil
}

// isDate reports whether a column type is a date without time.
func isDate(typ string) bool {
	typ = strings.TrimSuffix(strings.TrimPrefix(typ, "Nullable("), ")")
	typ = strings.TrimSuffix(strings.TrimPrefix(typ, "LowCardinality("), ")")
	return typ == "Date" || typ == "Date32"
}
