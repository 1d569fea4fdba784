package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

var typeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_ ]*(\([0-9, ]+\))?$`)

// CreateTable creates table name with the given columns and SQL types
// (TIMESTAMP, VARCHAR, DOUBLE, BIGINT, ...) and loads rows through DuckDB's
// appender, which takes hundreds of thousands of rows a second. A table of
// the same name is replaced. Each row holds one Go value per column: time.Time,
// string, float64, int64 (other integer and float types are widened) or nil.
// On failure the table is dropped and the error names the row.
func (s *Source) CreateTable(ctx context.Context, name string, columns, types []string, rows [][]any) error {
	if err := checkTable(name, columns, types); err != nil {
		return err
	}
	defs := make([]string, len(columns))
	for i, c := range columns {
		defs[i] = ident(c) + " " + types[i]
	}
	create := "CREATE OR REPLACE TABLE " + ident(name) + " (" + strings.Join(defs, ", ") + ")"
	if _, err := s.db.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("duckdb: create table %q: %w", name, err)
	}
	if err := s.appendRows(ctx, name, len(columns), rows); err != nil {
		_, dropErr := s.db.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+ident(name))
		return errors.Join(fmt.Errorf("duckdb: load table %q: %w", name, err), dropErr)
	}
	return nil
}

func checkTable(name string, columns, types []string) error {
	var errs []error
	if name == "" {
		errs = append(errs, errors.New("table name is empty"))
	}
	if len(columns) == 0 || len(columns) != len(types) {
		errs = append(errs, fmt.Errorf("%d columns but %d types", len(columns), len(types)))
	}
	for i, t := range types {
		if !typeRE.MatchString(t) {
			errs = append(errs, fmt.Errorf("column %d: type %q is not a plain SQL type", i+1, t))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("duckdb: create table %q: %w", name, errors.Join(errs...))
	}
	return nil
}

// appendRows loads rows into name on one connection with the appender.
func (s *Source) appendRows(ctx context.Context, name string, width int, rows [][]any) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "", "", name)
		if err != nil {
			return err
		}
		vals := make([]driver.Value, width)
		for i, row := range rows {
			if err := appendRow(a, vals, row); err != nil {
				return errors.Join(fmt.Errorf("row %d: %w", i+1, err), a.Close())
			}
			if i%4096 == 0 && ctx.Err() != nil {
				return errors.Join(ctx.Err(), a.Close())
			}
		}
		return a.Close()
	})
}

func appendRow(a *duckdb.Appender, vals []driver.Value, row []any) error {
	if len(row) != len(vals) {
		return fmt.Errorf("has %d values for %d columns", len(row), len(vals))
	}
	for j, v := range row {
		vals[j] = widen(v)
	}
	return a.AppendRow(vals...)
}

// widen turns the smaller Go number types into the int64 and float64 that
// BIGINT and DOUBLE columns take.
func widen(v any) any {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case float32:
		return float64(n)
	}
	return v
}

// ident quotes a name as a DuckDB identifier.
func ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
