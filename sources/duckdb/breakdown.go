package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

// Breakdown returns the metric of q broken down by each of req's groups, in
// one query: GROUPING SETS over (period, dimensions...), where the period
// says which of req's buckets a row falls in, and GROUPING() tells the sets
// apart. Values of req.Keep are bound as parameters; dimension names are
// quoted as identifiers. Values beyond req.TopK are folded in Go, exactly
// as explain.Fold ranks them: ranking them in SQL with window functions
// saved nothing on a 200-value dimension over 10M rows (BenchmarkTopK10M),
// where the scan and grouping take all the time and the rows returned
// number a few thousand.
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
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	rows, err := s.fetchBreakdown(ctx, p, text, args)
	if err != nil {
		return nil, breakdownError(ctx, q, err)
	}
	cells, err := p.Cells(rows)
	if err != nil {
		return nil, breakdownError(ctx, q, err)
	}
	return cells, nil
}

// RenderBreakdown returns the SQL that Breakdown runs for q and req, with
// times and values written as literals, for people to read.
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
	return quote(v.(string))
}

func breakdownError(ctx context.Context, q sources.Query, err error) error {
	if ctxErr := sources.ContextErr(ctx); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return fmt.Errorf("rule %q: duckdb breakdown on table %s: %w", q.Rule, q.Table, err)
}

// buildBreakdown writes the breakdown query of p; bind writes each bound
// value (a time.Time or a string) and returns its text.
func buildBreakdown(p *sources.Plan, bind func(any) string) (string, error) {
	q := p.Query
	values, err := breakdownValues(q)
	if err != nil {
		return "", fmt.Errorf("rule %q: %w", q.Rule, err)
	}
	ts := sources.Paren(q.Timestamp)
	cols := make([]string, len(p.Dims))
	for i := range p.Dims {
		cols[i] = dimColumn(i)
	}
	var b strings.Builder
	b.WriteString(sources.RuleComment(q.Rule) + "-- breakdown\n")
	b.WriteString("SELECT\n  GROUPING(" + strings.Join(cols, ", ") + ") AS vigil_set,\n  CASE")
	for i, r := range p.Ranges {
		fmt.Fprintf(&b, "\n    WHEN %s THEN %d", within(ts, r, bind), i)
	}
	b.WriteString("\n  END AS vigil_period")
	for i, d := range p.Dims {
		b.WriteString(",\n  " + dimExpr(p, d, bind) + " AS " + cols[i])
	}
	for _, v := range values {
		b.WriteString(",\n  " + v)
	}
	// The span of all buckets limits the scan; the period, computed once,
	// drops the rows between buckets. Testing every bucket's range again
	// here (an OR of them) costs a third more on 10M rows.
	b.WriteString("\nFROM " + q.Table + "\nWHERE " + within(ts, span(p.Ranges), bind) + " AND vigil_period IS NOT NULL")
	if f := strings.TrimSpace(q.Filter); f != "" {
		b.WriteString("\n  AND (" + f + ")")
	}
	b.WriteString("\nGROUP BY GROUPING SETS (")
	for i, set := range p.Sets {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(vigil_period")
		for _, d := range set {
			b.WriteString(", " + cols[d])
		}
		b.WriteString(")")
	}
	b.WriteString(")")
	return b.String(), nil
}

func dimColumn(i int) string { return "vigil_d" + strconv.Itoa(i) }

// within is the condition that ts lies in r.
func within(ts string, r explain.Range, bind func(any) string) string {
	return ts + " >= " + bind(r.From.UTC()) + " AND " + ts + " < " + bind(r.To.UTC())
}

// span returns the smallest range holding all of rs.
func span(rs []explain.Range) explain.Range {
	out := rs[0]
	for _, r := range rs[1:] {
		if r.From.Before(out.From) {
			out.From = r.From
		}
		if r.To.After(out.To) {
			out.To = r.To
		}
	}
	return out
}

// dimExpr is dimension d as text, NULL as the empty string, and values
// outside the request's Keep list as explain.Other.
func dimExpr(p *sources.Plan, d string, bind func(any) string) string {
	e := "coalesce(CAST(" + ident(d) + " AS VARCHAR), '')"
	keep, ok := p.Keep(d)
	switch {
	case !ok:
		return e
	case len(keep) == 0:
		return quote(explain.Other)
	}
	marks := make([]string, len(keep))
	for i, v := range keep {
		marks[i] = bind(v)
	}
	return "CASE WHEN " + e + " IN (" + strings.Join(marks, ", ") + ") THEN " + e + " ELSE " + quote(explain.Other) + " END"
}

// breakdownValues returns the metric's columns, NULL read as zero (a cell
// without values adds nothing): vigil_value, or vigil_num and vigil_den.
func breakdownValues(q sources.Query) ([]string, error) {
	col := func(expr, alias string) string { return "coalesce(CAST(" + expr + " AS DOUBLE), 0) AS " + alias }
	if q.Kind() == sources.KindValue {
		v, err := translate(q.Value)
		if err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		return []string{col(v, "vigil_value")}, nil
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

// fetchBreakdown runs the query and reads its rows, mapping GROUPING()'s
// bit masks back to p's sets.
func (s *Source) fetchBreakdown(ctx context.Context, p *sources.Plan, text string, args []any) ([]sources.BreakdownRow, error) {
	setOf := map[int64]int{}
	for i, set := range p.Sets {
		setOf[groupingMask(len(p.Dims), set)] = i
	}
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sources.BreakdownRow
	dims := make([]sql.NullString, len(p.Dims))
	dest := []any{new(int64), new(int64)}
	for i := range dims {
		dest = append(dest, &dims[i])
	}
	nums := make([]float64, 2)
	dest = append(dest, &nums[0])
	if p.Ratio() {
		dest = append(dest, &nums[1])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		mask := *dest[0].(*int64)
		set, ok := setOf[mask]
		if !ok {
			return nil, fmt.Errorf("GROUPING() returned %d, which is none of the query's sets", mask)
		}
		r := sources.BreakdownRow{Set: set, Period: int(*dest[1].(*int64)), Values: make([]string, len(dims)),
			Value: nums[0], Num: nums[0], Den: nums[1]}
		for i, d := range dims {
			r.Values[i] = d.String
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}

// groupingMask is what GROUPING(vigil_d0, ..., vigil_dn-1) returns for the
// rows of a set: one bit per argument, the first the most significant, set
// when the column is not grouped.
func groupingMask(n int, set []int) int64 {
	var m int64
	for i := range n {
		in := false
		for _, j := range set {
			in = in || j == i
		}
		if !in {
			m |= 1 << (n - 1 - i)
		}
	}
	return m
}
