package sources

import (
	"fmt"
	"strconv"
	"strings"

	"vigil/detector/explain"
)

// BreakdownColumns returns the metric's columns for a breakdown query of
// q, NULL read as zero: vigil_value, or vigil_num and vigil_den.
func (d Dialect) BreakdownColumns(q Query) ([]string, error) {
	cols, err := d.metricColumns(q, d.NumberOrZero)
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", q.Rule, err)
	}
	return cols, nil
}

// DimExpr is the SQL of dimension dim of p as text, NULL as the empty
// string, and values outside the request's Keep list as explain.Other.
// bind writes each kept value.
func (d Dialect) DimExpr(p *Plan, dim string, bind func(any) string) string {
	e := d.Dimension(dim)
	keep, ok := p.Keep(dim)
	switch {
	case !ok:
		return e
	case len(keep) == 0:
		return d.String(explain.Other)
	}
	marks := make([]string, len(keep))
	for i, v := range keep {
		marks[i] = bind(v)
	}
	return d.IfElse(e+" IN ("+strings.Join(marks, ", ")+")", e, d.String(explain.Other))
}

// DimColumn is the name of the column of dimension i of a plan.
func DimColumn(i int) string { return "vigil_d" + strconv.Itoa(i) }

// Within is the condition that the time ts lies in r; bind writes r's
// bounds.
func Within(ts string, r explain.Range, bind func(any) string) string {
	return ts + " >= " + bind(r.From.UTC()) + " AND " + ts + " < " + bind(r.To.UTC())
}
