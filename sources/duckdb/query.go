package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"vigil/detector"
	"vigil/sources"
)

// Query runs q's one aggregated query and returns its series over
// [q.From, q.To): one row per bucket comes back, and absent buckets are
// filled in Go.
func (s *Source) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	if err := q.Validate(); err != nil {
		return detector.Series{}, err
	}
	if sources.Days(q.Granularity) > 0 && !isUTC(q.Loc()) && !s.icu {
		return detector.Series{}, fmt.Errorf("rule %q: calendar buckets in %s need DuckDB's ICU extension, "+
			"which this database has not loaded (add INSTALL icu and LOAD icu to init)", q.Rule, q.Loc())
	}
	var args []any
	text, err := build(q, func(t time.Time) string {
		args = append(args, t)
		return "?"
	})
	if err != nil {
		return detector.Series{}, err
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	rows, err := s.fetch(ctx, q, text, args)
	if err != nil {
		return detector.Series{}, queryError(ctx, q, err)
	}
	return sources.Fill(q, rows)
}

// Render returns the SQL that Query runs for q, with the bounds written as
// literals, for people to read and to paste into a DuckDB shell.
func (s *Source) Render(q sources.Query) (string, error) {
	if err := q.Validate(); err != nil {
		return "", err
	}
	return build(q, literal)
}

// literal writes t as a DuckDB timestamp literal in UTC.
func literal(t time.Time) string {
	return "TIMESTAMPTZ '" + t.UTC().Format("2006-01-02 15:04:05") + "+00'"
}

// queryError names the rule and what it read, and says so when the context
// ended the query.
func queryError(ctx context.Context, q sources.Query, err error) error {
	what := "table " + q.Table
	if q.Kind() == sources.KindSQL {
		what = "sql"
	}
	if ctxErr := sources.ContextErr(ctx); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return fmt.Errorf("rule %q: duckdb query on %s: %w", q.Rule, what, err)
}

// build writes q's SQL; bound writes each time bound.
func build(q sources.Query, bound func(time.Time) string) (string, error) {
	if q.Kind() == sources.KindSQL {
		text, err := sources.ExpandSQL(q, bound)
		if err != nil {
			return "", err
		}
		return sources.RuleComment(q.Rule) + text, nil
	}
	values, err := valueColumns(q)
	if err != nil {
		return "", fmt.Errorf("rule %q: %w", q.Rule, err)
	}
	if q.Arrival != "" {
		cols, err := arrivalColumns(q, bound)
		if err != nil {
			return "", err
		}
		values = append(values, cols...)
	}
	ts := sources.Paren(q.Timestamp)
	var b strings.Builder
	b.WriteString(sources.RuleComment(q.Rule))
	b.WriteString("SELECT\n  " + bucketKey(q) + " AS vigil_bucket")
	for _, v := range values {
		b.WriteString(",\n  " + v)
	}
	b.WriteString("\nFROM " + q.Table)
	b.WriteString("\nWHERE " + ts + " >= " + bound(q.From.UTC()) + " AND " + ts + " < " + bound(q.To.UTC()))
	if f := strings.TrimSpace(q.Filter); f != "" {
		b.WriteString("\n  AND (" + f + ")")
	}
	b.WriteString("\nGROUP BY vigil_bucket\nORDER BY vigil_bucket")
	return b.String(), nil
}

// valueColumns returns the aggregate columns: vigil_value, or vigil_num and
// vigil_den for a ratio.
func valueColumns(q sources.Query) ([]string, error) {
	if q.Kind() == sources.KindValue {
		v, err := translate(q.Value)
		if err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		return []string{"CAST(" + v + " AS DOUBLE) AS vigil_value"}, nil
	}
	num, err := ratioPart(q.Numerator)
	if err != nil {
		return nil, fmt.Errorf("numerator: %w", err)
	}
	den, err := ratioPart(q.Denominator)
	if err != nil {
		return nil, fmt.Errorf("denominator: %w", err)
	}
	return []string{"CAST(" + num + " AS DOUBLE) AS vigil_num", "CAST(" + den + " AS DOUBLE) AS vigil_den"}, nil
}

// ratioPart is an aggregate as written, or the sum of a per-row expression.
func ratioPart(expr string) (string, error) {
	agg, err := sources.HasAggregate(expr)
	if err != nil {
		return "", err
	}
	if !agg {
		return "sum(" + strings.TrimSpace(expr) + ")", nil
	}
	return translate(strings.TrimSpace(expr))
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
	defer rows.Close()
	var out []sources.Row
	scan := scanner(q)
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

// scanner reads one result row of q's query.
func scanner(q sources.Query) func(*sql.Rows) (sources.Row, error) {
	if q.Arrival != "" && q.Kind() != sources.KindSQL {
		return arrivalScanner(q)
	}
	switch q.Kind() {
	case sources.KindSQL:
		return func(rows *sql.Rows) (sources.Row, error) { return scanRaw(rows, q) }
	case sources.KindRatio:
		return func(rows *sql.Rows) (sources.Row, error) {
			var key int64
			var num, den sql.NullFloat64
			if err := rows.Scan(&key, &num, &den); err != nil {
				return sources.Row{}, err
			}
			return sources.RatioRow(sources.KeyTime(key, q), orNaN(num), den.Float64), nil
		}
	}
	return func(rows *sql.Rows) (sources.Row, error) {
		var key int64
		var v sql.NullFloat64
		if err := rows.Scan(&key, &v); err != nil {
			return sources.Row{}, err
		}
		return sources.Row{Bucket: sources.KeyTime(key, q), Value: orNaN(v)}, nil
	}
}

// scanRaw reads a (bucket, value) row of raw SQL; a DATE bucket is the
// local day in the rule's zone.
func scanRaw(rows *sql.Rows, q sources.Query) (sources.Row, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return sources.Row{}, err
	}
	if len(types) != 2 {
		names := make([]string, len(types))
		for i, ct := range types {
			names[i] = ct.Name()
		}
		return sources.Row{}, fmt.Errorf("sql must return 2 columns (bucket, value), got %d: %s", len(types), strings.Join(names, ", "))
	}
	var b, v any
	if err := rows.Scan(&b, &v); err != nil {
		return sources.Row{}, err
	}
	read := sources.BucketTime
	if types[0].DatabaseTypeName() == "DATE" {
		read = sources.DateBucket
	}
	t, err := read(b, q)
	if err != nil {
		return sources.Row{}, err
	}
	f, err := sources.Number(v)
	if err != nil {
		return sources.Row{}, fmt.Errorf("bucket %s: %w", t.Format(time.RFC3339), err)
	}
	return sources.Row{Bucket: t, Value: f}, nil
}

// orNaN reads SQL NULL as NaN, a bucket without a value.
func orNaN(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}
