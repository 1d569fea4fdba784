package sources

import (
	"fmt"
	"strings"

	"vigil/detector/explain"
)

// BreakdownRow is one row of a breakdown query: the metric over the rows
// with one combination of values of a grouping set, in one period.
type BreakdownRow struct {
	Set    int      // index into Plan.Sets
	Period int      // 0 for the current bucket, i for baseline bucket i
	Values []string // one per Plan.Dims; those outside the set are ignored
	// Value is the metric; Num and Den are a ratio's sums.
	Value, Num, Den float64
}

// Cells adds the rows up into the cells of each group of the request: the
// current bucket's numbers, and the baseline's summed over its buckets and
// divided by their number (a bucket without rows counts as zero). Cells
// then pass through explain.Fold, so that the request's TopK holds.
func (p *Plan) Cells(rows []BreakdownRow) ([]explain.Cell, error) {
	byKey := map[string]int{}
	var cells []explain.Cell
	ratio := p.Ratio()
	for i, r := range rows {
		if err := p.checkRow(r); err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		for g, set := range p.groupOf {
			if set != r.Set {
				continue
			}
			vals := p.groupValues(g, r.Values)
			key := fmt.Sprint(g) + "\x00" + strings.Join(vals, "\x00")
			j, ok := byKey[key]
			if !ok {
				j = len(cells)
				byKey[key] = j
				cells = append(cells, explain.Cell{Group: g, Values: vals})
			}
			add(&cells[j], r, ratio)
		}
	}
	n := float64(len(p.Ranges) - 1)
	for i := range cells {
		c := &cells[i]
		c.Baseline, c.BaselineNum, c.BaselineDen = c.Baseline/n, c.BaselineNum/n, c.BaselineDen/n
	}
	return explain.Fold(p.Request, cells, ratio)
}

func (p *Plan) checkRow(r BreakdownRow) error {
	switch {
	case r.Set < 0 || r.Set >= len(p.Sets):
		return fmt.Errorf("grouping set %d out of range [0, %d)", r.Set, len(p.Sets))
	case r.Period < 0 || r.Period >= len(p.Ranges):
		return fmt.Errorf("period %d out of range [0, %d)", r.Period, len(p.Ranges))
	case len(r.Values) != len(p.Dims):
		return fmt.Errorf("%d values for %d dimensions", len(r.Values), len(p.Dims))
	}
	return nil
}

// groupValues returns the values of group g's dimensions, in its order.
func (p *Plan) groupValues(g int, row []string) []string {
	dims := p.Request.Groups[g]
	out := make([]string, len(dims))
	for i, d := range dims {
		for j, pd := range p.Dims {
			if pd == d {
				out[i] = row[j]
			}
		}
	}
	return out
}

func add(c *explain.Cell, r BreakdownRow, ratio bool) {
	switch {
	case ratio && r.Period == 0:
		c.CurrentNum += r.Num
		c.CurrentDen += r.Den
	case ratio:
		c.BaselineNum += r.Num
		c.BaselineDen += r.Den
	case r.Period == 0:
		c.Current += r.Value
	default:
		c.Baseline += r.Value
	}
}
