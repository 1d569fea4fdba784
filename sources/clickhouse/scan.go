package clickhouse

import (
	"context"
	"math"
	"reflect"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"vigil/sources"
)

// fetch runs the query and reads its rows.
func (s *Source) fetch(ctx context.Context, q sources.Query, text string, args []any) ([]sources.Row, error) {
	rows, err := s.conn.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	scan := scanner(q)
	if q.Kind() == sources.KindSQL {
		if scan, err = rawScanner(rows, q); err != nil {
			rows.Close()
			return nil, err
		}
	}
	return sources.Collect(rows, func() (sources.Row, error) { return scan(rows) })
}

type scanFunc func(driver.Rows) (sources.Row, error)

// scanner reads one row of a generated query: the bucket key and the
// columns after it, all Float64 with NULL as nan.
func scanner(q sources.Query) scanFunc {
	return func(rows driver.Rows) (sources.Row, error) {
		var key int64
		cols := make([]float64, q.Width())
		dest := []any{&key}
		for i := range cols {
			dest = append(dest, &cols[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return sources.Row{}, err
		}
		if last := len(cols) - 1; q.Arrival != "" && cols[last] == 0 {
			cols[last] = math.NaN() // maxIf is 0 where nothing arrived
		}
		return sources.KeyedRow(q, key, cols), nil
	}
}

// rawScanner reads (bucket, value) rows of raw SQL into values of the
// columns' own Go types; a Date bucket is the local day in the rule's zone.
func rawScanner(rows driver.Rows, q sources.Query) (scanFunc, error) {
	types := rows.ColumnTypes()
	names := make([]string, len(types))
	for i, ct := range types {
		names[i] = ct.Name()
	}
	if err := sources.CheckRawColumns(names); err != nil {
		return nil, err
	}
	date := isDate(types[0].DatabaseTypeName())
	return func(rows driver.Rows) (sources.Row, error) {
		b := reflect.New(types[0].ScanType())
		v := reflect.New(types[1].ScanType())
		if err := rows.Scan(b.Interface(), v.Interface()); err != nil {
			return sources.Row{}, err
		}
		return sources.RawRow(q, b.Interface(), v.Interface(), date)
	}, nil
}

// isDate reports whether a column type is a date without time.
func isDate(typ string) bool {
	typ = strings.TrimSuffix(strings.TrimPrefix(typ, "Nullable("), ")")
	typ = strings.TrimSuffix(strings.TrimPrefix(typ, "LowCardinality("), ")")
	return typ == "Date" || typ == "Date32"
}
