package clickhouse

import (
	"context"
	"errors"
	"fmt"
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
	var args []any
	text, err := build(q, func(t time.Time) string {
		args = append(args, t)
		return "?"
	})
	if err != nil {
		return detector.Series{}, err
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	qctx, qcancel := s.queryContext(ctx)
	defer qcancel()
	rows, err := s.fetch(qctx, q, text, args)
	if err != nil {
		return detector.Series{}, s.queryError(ctx, q, err)
	}
	return sources.Fill(q, rows)
}

// Render returns the SQL that Query runs for q, with the bounds written as
// literals, for people to read and to paste into clickhouse-client.
func (s *Source) Render(q sources.Query) (string, error) {
	if err := q.Validate(); err != nil {
		return "", err
	}
	return build(q, literal)
}

// literal writes t as a ClickHouse DateTime literal in UTC.
func literal(t time.Time) string {
	return "toDateTime('" + t.UTC().Format("2006-01-02 15:04:05") + "', 'UTC')"
}

// queryError names the rule, the server and what it read, and says so when
// the context ended the query.
func (s *Source) queryError(ctx context.Context, q sources.Query, err error) error {
	what := "table " + q.Table
	if q.Kind() == sources.KindSQL {
		what = "sql"
	}
	if ctxErr := sources.ContextErr(ctx); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return fmt.Errorf("rule %q: clickhouse %s: query on %s: %w", q.Rule, s.addr, what, err)
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

// valueColumns returns the aggregate columns, as Float64 with NULL turned
// into nan: vigil_value, or vigil_num and vigil_den for a ratio.
func valueColumns(q sources.Query) ([]string, error) {
	col := func(expr, alias string) string {
		return "ifNull(toFloat64(" + expr + "), nan) AS " + alias
	}
	if q.Kind() == sources.KindValue {
		if _, err := sources.RewriteCalls(q.Value, keep); err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		return []string{col(strings.TrimSpace(q.Value), "vigil_value")}, nil
	}
	num, err := ratioPart(q.Numerator)
	if err != nil {
		return nil, fmt.Errorf("numerator: %w", err)
	}
	den, err := ratioPart(q.Denominator)
	if err != nil {
		return nil, fmt.Errorf("denominator: %w", err)
	}
	return []string{col(num, "vigil_num"), col(den, "vigil_den")}, nil
}

func keep(string, []string) (string, error) { return "", nil }

// ratioPart is an aggregate as written, or the sum of a per-row expression.
func ratioPart(expr string) (string, error) {
	agg, err := sources.HasAggregate(expr)
	if err != nil {
		return "", err
	}
	if !agg {
		return "sum(" + strings.TrimSpace(expr) + ")", nil
	}
	return strings.TrimSpace(expr), nil
}

// bucketKey is the SQL of the bucket key that sources.KeyTime reads: Unix
// seconds of the bucket start, or for calendar buckets the local date in
// days since 1970-01-01.
func bucketKey(q sources.Query) string {
	ts := sources.Paren(q.Timestamp)
	n := sources.Days(q.Granularity)
	if n == 0 {
		g := int64(q.Granularity / time.Second)
		return fmt.Sprintf("toInt64(intDiv(toUInt32(%s), %d) * %d)", ts, g, g)
	}
	days := fmt.Sprintf("toInt64(toDate(%s, %s))", ts, quote(q.Loc().String()))
	if n == 1 {
		return days
	}
	m := sources.EpochMonday
	return fmt.Sprintf("intDiv(%s - %d, %d) * %d + %d", days, m, n, n, m)
}

var quoter = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

// quote writes s as a ClickHouse string literal.
func quote(s string) string { return "'" + quoter.Replace(s) + "'" }
