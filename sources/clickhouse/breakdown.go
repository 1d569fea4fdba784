package clickhouse

import (
	"context"
	"fmt"
	"strings"

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
	var args sources.Args
	text, err := buildBreakdown(p, args.Bind)
	if err != nil {
		return nil, err
	}
	f := s.start(ctx, q.Rule)
	rows, err := s.fetchBreakdown(f.qctx, p, text, args)
	var cells []explain.Cell
	if err = f.finish(err); err == nil {
		cells, err = p.Cells(rows)
	}
	if err != nil {
		return nil, fmt.Errorf("rule %q: clickhouse %s: breakdown on table %s: %w", q.Rule, s.addr, q.Table, err)
	}
	return cells, nil
}

// RenderBreakdown returns the SQL that Breakdown runs for q and req, with
// times and values written as literals, for people to read and to paste
// into clickhouse-client.
func (s *Source) RenderBreakdown(q sources.Query, req explain.Request) (string, error) {
	p, err := sources.NewPlan(q, req)
	if err != nil {
		return "", err
	}
	return buildBreakdown(p, dialect.Inline)
}

// buildBreakdown writes the breakdown query of p; bind writes each bound
// value (a time.Time or a string) and returns its text.
func buildBreakdown(p *sources.Plan, bind func(any) string) (string, error) {
	values, err := dialect.BreakdownColumns(p.Query)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(sources.RuleComment(p.Query.Rule) + "-- breakdown\n")
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
		fmt.Fprintf(b, "%s, %d, ", sources.Within(ts, r, bind), i)
	}
	fmt.Fprintf(b, "%d)) AS vigil_period", len(p.Ranges))
	group := []string{"vigil_period"}
	for i, d := range p.Dims {
		e := "''"
		if p.InSet(s, i) {
			e = dialect.DimExpr(p, d, bind)
			if keep, ok := p.Keep(d); !ok || len(keep) > 0 { // a constant needs no grouping
				group = append(group, sources.DimColumn(i))
			}
		}
		b.WriteString(",\n  " + e + " AS " + sources.DimColumn(i))
	}
	for _, v := range values {
		b.WriteString(",\n  " + v)
	}
	b.WriteString("\nFROM " + q.Table + "\nWHERE (")
	for i, r := range p.Ranges {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(" + sources.Within(ts, r, bind) + ")")
	}
	b.WriteString(")" + sources.AndFilter(q))
	b.WriteString("\nGROUP BY " + strings.Join(group, ", "))
}

// fetchBreakdown runs the query and reads its rows.
func (s *Source) fetchBreakdown(ctx context.Context, p *sources.Plan, text string, args []any) ([]sources.BreakdownRow, error) {
	rows, err := s.conn.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
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
	return sources.Collect(rows, func() (sources.BreakdownRow, error) {
		if err := rows.Scan(dest...); err != nil {
			return sources.BreakdownRow{}, err
		}
		return sources.BreakdownRow{Set: int(set), Period: int(period), Values: append([]string(nil), dims...),
			Value: nums[0], Num: nums[0], Den: nums[1]}, nil
	})
}
