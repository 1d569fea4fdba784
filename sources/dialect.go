package sources

import (
	"fmt"
	"strings"
	"time"
)

// Dialect holds what one warehouse's SQL writes its own way. Each driver
// package declares one; BuildQuery, Render and the breakdown helpers write
// the rest of vigil's queries around it, so that the drivers keep only
// their dialect and their connections. Every field is required.
type Dialect struct {
	// BucketKey is the SQL of q's bucket key, as KeyTime reads it: Unix
	// seconds of the bucket start, or for calendar buckets the local date
	// in days since 1970-01-01.
	BucketKey func(q Query) string
	// Aggregate writes an aggregate expression of a rule (count(),
	// uniq(x), sumIf(x, c)...) in the dialect, or says why it cannot.
	Aggregate func(expr string) (string, error)
	// Number casts an aggregate to a double for a series query; a NULL
	// comes back as NaN, or as NULL that the driver reads as NaN.
	Number func(expr string) string
	// NumberOrZero casts an aggregate to a double, NULL as zero, for a
	// breakdown query, where a cell without values adds nothing.
	NumberOrZero func(expr string) string
	// Arrivals writes the columns of q's arrival counts, after the
	// metric's: vigil_arrived_K, the rows whose arrival lies at most probe
	// K after their bucket's start, then vigil_arrived, the rows that
	// arrived by q.Now, and vigil_newest, the latest arrival by q.Now in
	// Unix seconds. q is valid for arrivals; bind writes q.Now.
	Arrivals func(q Query, bind func(any) string) []string
	// Dimension is the SQL of a dimension column, named as a rule names
	// it, as text with NULL as the empty string.
	Dimension func(name string) string
	// IfElse is the SQL of a value that is then where cond holds and els
	// elsewhere.
	IfElse func(cond, then, els string) string
	// String writes s as a string literal, escaped.
	String func(s string) string
	// Time writes t as a timestamp literal, in UTC.
	Time func(t time.Time) string
}

// Args collects the values bound to a query's ? markers, in order.
type Args []any

// Bind records v and returns its marker.
func (a *Args) Bind(v any) string {
	*a = append(*a, v)
	return "?"
}

// Inline writes a bound value, a time.Time or a string, as a literal.
func (d Dialect) Inline(v any) string {
	if t, ok := v.(time.Time); ok {
		return d.Time(t)
	}
	return d.String(v.(string))
}

// Render returns the series query of q with every bound value written as a
// literal, for people to read and to paste into the warehouse's shell.
func (d Dialect) Render(q Query) (string, error) {
	if err := q.Validate(); err != nil {
		return "", err
	}
	return d.BuildQuery(q, d.Inline)
}

// BuildQuery writes the one aggregated query of q: a row per bucket with
// its key (vigil_bucket) and the metric's columns, and the arrival counts
// when q sets Arrival; raw SQL gets its placeholders expanded. bind writes
// each bound value (the window's bounds, q.Now): a marker to run the query,
// or a literal to show it.
func (d Dialect) BuildQuery(q Query, bind func(any) string) (string, error) {
	if q.Kind() == KindSQL {
		text, err := ExpandSQL(q, func(t time.Time) string { return bind(t) })
		if err != nil {
			return "", err
		}
		return RuleComment(q.Rule) + text, nil
	}
	values, err := d.metricColumns(q, d.Number)
	if err != nil {
		return "", fmt.Errorf("rule %q: %w", q.Rule, err)
	}
	if q.Arrival != "" {
		if err := q.ValidateArrivals(); err != nil {
			return "", err
		}
		values = append(values, d.Arrivals(q, bind)...)
	}
	ts := Paren(q.Timestamp)
	var b strings.Builder
	b.WriteString(RuleComment(q.Rule))
	b.WriteString("SELECT\n  " + d.BucketKey(q) + " AS vigil_bucket")
	for _, v := range values {
		b.WriteString(",\n  " + v)
	}
	b.WriteString("\nFROM " + q.Table)
	b.WriteString("\nWHERE " + ts + " >= " + bind(q.From.UTC()) + " AND " + ts + " < " + bind(q.To.UTC()))
	b.WriteString(AndFilter(q))
	b.WriteString("\nGROUP BY vigil_bucket\nORDER BY vigil_bucket")
	return b.String(), nil
}

// AndFilter returns q's filter as the last condition of a WHERE clause,
// on a line of its own, or "" when q has none.
func AndFilter(q Query) string {
	if f := strings.TrimSpace(q.Filter); f != "" {
		return "\n  AND (" + f + ")"
	}
	return ""
}

// metricColumns returns the metric's columns, each aggregate cast with
// num: vigil_value, or vigil_num and vigil_den for a ratio.
func (d Dialect) metricColumns(q Query, num func(string) string) ([]string, error) {
	if q.Kind() == KindValue {
		v, err := d.Aggregate(q.Value)
		if err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		return []string{num(v) + " AS vigil_value"}, nil
	}
	n, err := d.ratioPart(q.Numerator)
	if err != nil {
		return nil, fmt.Errorf("numerator: %w", err)
	}
	den, err := d.ratioPart(q.Denominator)
	if err != nil {
		return nil, fmt.Errorf("denominator: %w", err)
	}
	return []string{num(n) + " AS vigil_num", num(den) + " AS vigil_den"}, nil
}

// ratioPart is an aggregate as written, or the sum of a per-row expression.
func (d Dialect) ratioPart(expr string) (string, error) {
	agg, err := HasAggregate(expr)
	if err != nil {
		return "", err
	}
	if !agg {
		return "sum(" + strings.TrimSpace(expr) + ")", nil
	}
	return d.Aggregate(strings.TrimSpace(expr))
}
