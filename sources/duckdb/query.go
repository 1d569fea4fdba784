package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"vigil/detector"
	"vigil/sources"
)

// dialect is DuckDB's SQL, for the builders of package sources.
var dialect = sources.Dialect{
	BucketKey:    bucketKey,
	Aggregate:    translate,
	Number:       func(e string) string { return "CAST(" + e + " AS DOUBLE)" },
	NumberOrZero: func(e string) string { return "coalesce(CAST(" + e + " AS DOUBLE), 0)" },
	Arrivals:     arrivalColumns,
	Dimension:    func(name string) string { return "coalesce(CAST(" + ident(name) + " AS VARCHAR), '')" },
	IfElse:       func(c, then, els string) string { return "CASE WHEN " + c + " THEN " + then + " ELSE " + els + " END" },
	String:       quote,
	Time:         literal,
}

// Query runs q's one aggregated query and returns its series over
// [q.From, q.To): one row per bucket comes back, and absent buckets are
// filled in Go.
func (s *Source) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	return sources.RunQuery(ctx, q, s.run)
}

// Render returns the SQL that Query runs for q, with the bounds written as
// literals, for people to read and to paste into a DuckDB shell.
func (s *Source) Render(q sources.Query) (string, error) { return dialect.Render(q) }

// literal writes t as a DuckDB timestamp literal in UTC.
func literal(t time.Time) string {
	return "TIMESTAMPTZ '" + t.UTC().Format("2006-01-02 15:04:05") + "+00'"
}

// run writes q's query with its bounds bound, runs it and reads its rows.
func (s *Source) run(ctx context.Context, q sources.Query) ([]sources.Row, error) {
	if sources.Days(q.Granularity) > 0 && !isUTC(q.Loc()) && !s.icu {
		return nil, fmt.Errorf("rule %q: calendar buckets in %s need DuckDB's ICU extension, "+
			"which this database has not loaded (add INSTALL icu and LOAD icu to init)", q.Rule, q.Loc())
	}
	var args sources.Args
	text, err := dialect.BuildQuery(q, args.Bind)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.fetch(ctx, q, text, args)
	if err != nil {
		what := "table " + q.Table
		if q.Kind() == sources.KindSQL {
			what = "sql"
		}
		return nil, fmt.Errorf("rule %q: duckdb query on %s: %w", q.Rule, what, sources.WithContextErr(ctx, err))
	}
	return rows, nil
}

func (s *Source) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout > 0 {
		return context.WithTimeout(ctx, s.timeout)
	}
	return ctx, func() {}
}

// bucketKey is the SQL of the bucket key that sources.KeyTime reads: Unix
// seconds of the bucket start, or for calendar buckets the local date in
// days since 1970-01-01.
func bucketKey(q sources.Query) string {
	ts := sources.Paren(q.Timestamp)
	n := sources.Days(q.Granularity)
	if n == 0 {
		g := int64(q.Granularity / time.Second)
		return fmt.Sprintf("CAST(floor(epoch(%s) / %d) AS BIGINT) * %d", ts, g, g)
	}
	local := ts // epoch() reads TIMESTAMP as UTC
	if !isUTC(q.Loc()) {
		local = fmt.Sprintf("timezone(%s, CAST(%s AS TIMESTAMPTZ))", quote(q.Loc().String()), ts)
	}
	days := fmt.Sprintf("CAST(floor(epoch(%s) / 86400) AS BIGINT)", local)
	if n == 1 {
		return days
	}
	m := sources.EpochMonday
	return fmt.Sprintf("CAST(floor((%s - %d) / %d) AS BIGINT) * %d + %d", days, m, n, n, m)
}

// isUTC reports whether loc is UTC, whose days need no time zone functions.
func isUTC(loc *time.Location) bool {
	switch loc.String() {
	case "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal":
		return true
	}
	return false
}

// quote writes s as a DuckDB string literal.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// fetch runs the query and reads its rows.
func (s *Source) fetch(ctx context.Context, q sources.Query, text string, args []any) ([]sources.Row, error) {
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	scan := scanner(q)
	return sources.Collect(rows, func() (sources.Row, error) { return scan(rows) })
}

// scanner reads one result row of q's query: the bucket key and the
// columns after it, NULL as NaN.
func scanner(q sources.Query) func(*sql.Rows) (sources.Row, error) {
	if q.Kind() == sources.KindSQL {
		return func(rows *sql.Rows) (sources.Row, error) { return scanRaw(rows, q) }
	}
	return func(rows *sql.Rows) (sources.Row, error) {
		var key int64
		cols := make([]sql.NullFloat64, q.Width())
		dest := []any{&key}
		for i := range cols {
			dest = append(dest, &cols[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return sources.Row{}, err
		}
		vals := make([]float64, len(cols))
		for i, c := range cols {
			vals[i] = math.NaN()
			if c.Valid {
				vals[i] = c.Float64
			}
		}
		return sources.KeyedRow(q, key, vals), nil
	}
}

// scanRaw reads a (bucket, value) row of raw SQL; a DATE bucket is the
// local day in the rule's zone.
func scanRaw(rows *sql.Rows, q sources.Query) (sources.Row, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return sources.Row{}, err
	}
	names := make([]string, len(types))
	for i, ct := range types {
		names[i] = ct.Name()
	}
	if err := sources.CheckRawColumns(names); err != nil {
		return sources.Row{}, err
	}
	var b, v any
	if err := rows.Scan(&b, &v); err != nil {
		return sources.Row{}, err
	}
	return sources.RawRow(q, b, v, types[0].DatabaseTypeName() == "DATE")
}
