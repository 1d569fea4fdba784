package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"vigil/detector"
	"vigil/sources"
)

// dialect is ClickHouse's SQL, for the builders of package sources.
var dialect = sources.Dialect{
	BucketKey:    bucketKey,
	Aggregate:    aggregate,
	Number:       func(e string) string { return "ifNull(toFloat64(" + e + "), nan)" },
	NumberOrZero: func(e string) string { return "ifNull(toFloat64(" + e + "), 0)" },
	Arrivals:     arrivalColumns,
	Dimension:    func(name string) string { return "ifNull(toString(" + quoteIdent(name) + "), '')" },
	IfElse:       func(c, then, els string) string { return "if(" + c + ", " + then + ", " + els + ")" },
	String:       stringLiteral,
	Time:         literal,
}

// Query runs q's one aggregated query and returns its series over
// [q.From, q.To): one row per bucket comes back, and absent buckets are
// filled in Go.
func (s *Source) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	return sources.RunQuery(ctx, q, s.run)
}

// Render returns the SQL that Query runs for q, with the bounds written as
// literals, for people to read and to paste into clickhouse-client.
func (s *Source) Render(q sources.Query) (string, error) { return dialect.Render(q) }

// literal writes t as a ClickHouse DateTime literal in UTC.
func literal(t time.Time) string {
	return "toDateTime('" + t.UTC().Format("2006-01-02 15:04:05") + "', 'UTC')"
}

var escaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`, "\n", `\n`, "\r", `\r`, "\t", `\t`)

// stringLiteral writes s as a ClickHouse string literal, every character
// that could end or bend it escaped.
func stringLiteral(s string) string { return "'" + escaper.Replace(s) + "'" }

var identEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`")

// quoteIdent writes name as a ClickHouse identifier.
func quoteIdent(name string) string { return "`" + identEscaper.Replace(name) + "`" }

// run writes q's query with its bounds bound, runs it and reads its rows.
func (s *Source) run(ctx context.Context, q sources.Query) ([]sources.Row, error) {
	var args sources.Args
	text, err := dialect.BuildQuery(q, args.Bind)
	if err != nil {
		return nil, err
	}
	f := s.start(ctx, q.Rule)
	rows, err := s.fetch(f.qctx, q, text, args)
	if err = f.finish(err); err != nil {
		what := "table " + q.Table
		if q.Kind() == sources.KindSQL {
			what = "sql"
		}
		return nil, fmt.Errorf("rule %q: clickhouse %s: query on %s: %w", q.Rule, s.addr, what, err)
	}
	return rows, nil
}

// aggregate checks an aggregate expression, which ClickHouse takes as
// written.
func aggregate(expr string) (string, error) {
	if _, err := sources.RewriteCalls(expr, keep); err != nil {
		return "", err
	}
	return strings.TrimSpace(expr), nil
}

func keep(string, []string) (string, error) { return "", nil }

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
	days := fmt.Sprintf("toInt64(toDate(%s, %s))", ts, stringLiteral(q.Loc().String()))
	if n == 1 {
		return days
	}
	m := sources.EpochMonday
	return fmt.Sprintf("intDiv(%s - %d, %d) * %d + %d", days, m, n, n, m)
}
