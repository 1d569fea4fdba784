package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

// Breakdown returns the metric of q broken down by each of req's groups, in
// one query: ClickHouse 18.16 has no GROUPING SETS, so each grouping set is
// one SELECT over (period, dimensions...) and the SELECTs are joined with
// UNION ALL, each tagged with its set. Values of req.Keep are bound as
// parameters (the client escapes them); dimension names are quoted as
// identifiers. Values beyond req.TopK are folded in Go, exactly as
// explain.Fold ranks them: the rows returned number a few thousand even
// for a 200-value dimension, and ranking them in SQL saved nothing where
// it was measured (sources/duckdb's BenchmarkTopK10M).
func (s *Source) Breakdown(ctx context.Context, q sources.Query, req explain.Request) ([]explain.Cell, error) {
	p, err := sources.NewPlan(q, req)
	if err != nil {
		return nil, err
	}
	var args []any
	text, err := buildBreakdown(p, func(v any) string {
		args = append(args, v)
		return "?"
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	qctx, qcancel := s.queryContext(ctx)
	defer qcancel()
	rows, err := s.fetchBreakdown(qctx, p, text, args)
	if err == nil {
		var cells []explain.Cell
		if cells, err = p.Cells(rows); err == nil {
			return cells, nil
		}
	}
	if ctxErr := sources.ContextErr(ctx); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return nil, fmt.Errorf("rule %q: clickhouse %s: breakdown on table %s: %w", q.Rule, s.addr, q.Table, err)
}

// RenderBreakdown returns the SQL that Breakdown runs for q and req, with
// times and values written as literals, for people to read and to paste
// into clickhouse-client.
func (s *Source) RenderBreakdown(q sources.Query, req explain.Request) (string, error) {
	p, err := sources.NewPlan(q, req)
	if err != nil {
		return "", err
	}
	return buildBreakdown(p, inline)
}

// inline writes a bound value as a literal.
func inline(v any) string {
	if t, ok := v.(time.Time); ok {
		return literal(t)
	}
	return stringLiteral(v.(string))
}

var escaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`, "\n", `\n`, "\r", `\r`, "\t", `\t`)

// stringLiteral writes s as a ClickHouse string literal, every character
// that could end or bend it escaped.
func stringLiteral(s string) string { return "'" + escaper.Replace(s) + "'" }

// buildBreakdown writes the breakdown query of p; bind writes each bound
// value (a time.Time or a string) and returns its text.
func buildBreakdown(p *sources.Plan, bind func(any) string) (string, error) {
	q := p.Query
	values, err := breakdownValues(q)
	if err != nil {
		return "", fmt.Errorf("rule %q: %w", q.Rule, err)
	}
	var b strings.Builder
	b.WriteString(sources.RuleComment(q.Rule) + "-- breakdown\n")
	for s := range p.Sets {
		if s > 0 {
			b.WriteString("\nUNION ALL\n")
		}
		writeSet(&b, p, s, values, bind)
	}
	return b.String(), nil
}

// writeSet writes the SELECT of grouping set s.
func writeSet(b *strings.Builder, p *sources.Plan, s int, values []string, bind func(any) string) {
	q := p.Query
	ts := sources.Paren(q.Timestamp)
	fmt.Fprintf(b, "SELECT\n  toUInt16(%d) AS vigil_set,\n  toUInt16(multiIf(", s)
	for i, r := range p.Ranges {
		fmt.Fprintf(b, "%s, %d, ", within(ts, r, bind), i)
	}
	fmt.Fprintf(b, "%d)) AS vigil_period", len(p.Ranges))
	group := []string{"vigil_period"}
	for i, d := range p.Dims {
		e := "''"
		if p.InSet(s, i) {
			e = dimExpr(p, d, bind)
			if keep, ok := p.Keep(d); !ok || len(keep) > 0 { // a constant needs no grouping
				group = append(group, dimColumn(i))
			}
		}
		b.WriteString(",\n  " + e + " AS " + dimColumn(i))
	}
	for _, v := range values {
		b.WriteString(",\n  " + v)
	}
	b.WriteString("\nFROM " + q.Table + "\nWHERE (")
	for i, r := range p.Ranges {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(" + within(ts, r, bind) + ")")
	}
	b.WriteString(")")
	if f := strings.TrimSpace(q.Filter); f != "" {
		b.WriteString("\n  AND (" + f + ")")
	}
	b.WriteString("\nGROUP BY " + strings.Join(group, ", "))
}

func dimColumn(i int) string { return "vigil_d" + strconv.Itoa(i) }

// within is the condition that ts lies in r.
func within(ts string, r explain.Range, bind func(any) string) string {
	return ts + " >= " + bind(r.From.UTC()) + " AND " + ts + " < " + bind(r.To.UTC())
}

// dimExpr is dimension d as text, NULL as the empty string, and values
// outside the request's Keep list as explain.Other. The list is written
// as separate placeholders: 18.16 reads a bound Go slice as an array, not
// the tuple IN wants.
func dimExpr(p *sources.Plan, d string, bind func(any) string) string {
	e := "ifNull(toString(" + quoteIdent(d) + "), '')"
	keep, ok := p.Keep(d)
	switch {
	case !ok:
		return e
	case len(keep) == 0:
		return stringLiteral(explain.Other)
	}
	marks := make([]string, len(keep))
	for i, v := range keep {
		marks[i] = bind(v)
	}
	return "if(" + e + " IN (" + strings.Join(marks, ", ") + "), " + e + ", " + stringLiteral(explain.Other) + ")"
}

var identEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`")

// quoteIdent writes name as a ClickHouse identifier.
func quoteIdent(name string) string { return "`" + identEscaper.Replace(name) + "`" }

// breakdownValues returns the metric's columns as Float64, NULL read as
// zero (a cell without values adds nothing): vigil_value, or vigil_num and
// vigil_den.
func breakdownValues(q sources.Query) ([]string, error) {
	col := func(expr, alias string) string { return "ifNull(toFloat64(" + expr + "), 0) AS " + alias }
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

// fetchBreakdown runs the query and reads its rows.
func (s *Source) fetchBreakdown(ctx context.Context, p *sources.Plan, text string, args []any) ([]sources.BreakdownRow, error) {
	rows, err := s.conn.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var set, period uint16
	dims := make([]string, len(p.Dims))
	nums := make([]float64, 2)
	dest := []any{&set, &period}
	for i := range dims {
		dest = append(dest, &dims[i])
	}
	dest = append(dest, &nums[0])
	if p.Ratio() {
		dest = append(dest, &nums[1])
	}
	var out []sources.BreakdownRow
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, sources.BreakdownRow{Set: int(set), Period: int(period), Values: append([]string(nil), dims...),
			Value: nums[0], Num: nums[0], Den: nums[1]})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}
