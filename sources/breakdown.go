package sources

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"vigil/detector/explain"
)

// Breakdowner is a source that breaks a metric down by its dimensions: the
// metric of q per value of each of req's groups, in req's current bucket and
// over its baseline buckets (see explain.Cell for what the numbers mean).
type Breakdowner interface {
	Breakdown(ctx context.Context, q Query, req explain.Request) ([]explain.Cell, error)
}

// Fetcher returns the explain.Fetcher of the metric that q describes: its
// table, value and filter. q's window (From, To, Granularity) plays no part;
// each request brings its own buckets.
func Fetcher(b Breakdowner, q Query) explain.Fetcher {
	return explain.FetcherFunc(func(ctx context.Context, req explain.Request) ([]explain.Cell, error) {
		return b.Breakdown(ctx, q, req)
	})
}

// Limits of one breakdown request, so that a runaway request fails with a
// message instead of building a query of megabytes.
const (
	MaxBreakdownDims   = 16  // distinct dimensions over all groups
	MaxBreakdownRanges = 512 // the current bucket plus the baseline buckets
)

// Plan is a breakdown request checked and laid out for SQL. Every distinct
// dimension gets one column (vigil_d0, vigil_d1...); groups with the same
// dimensions in any order share one grouping set; the current bucket is
// period 0 and baseline bucket i is period i+1. Both dialects write their
// SQL from it and hand its rows back to Cells.
type Plan struct {
	Query   Query
	Request explain.Request
	Dims    []string        // distinct dimensions, in order of first use
	Sets    [][]int         // distinct grouping sets: indices into Dims, ascending
	Ranges  []explain.Range // Request.Current, then Request.Baseline
	groupOf []int           // group → set
}

// NewPlan checks q and req and lays the request out. Dimension names must
// be non-empty and free of control characters; dialects quote them as
// identifiers. Ranges must be non-empty and must not overlap, so that every
// row falls in at most one period.
func NewPlan(q Query, req explain.Request) (*Plan, error) {
	if err := checkBreakdownQuery(q); err != nil {
		return nil, err
	}
	p := &Plan{Query: q, Request: req, Ranges: append([]explain.Range{req.Current}, req.Baseline...)}
	var errs []error
	if len(req.Groups) == 0 {
		errs = append(errs, errors.New("no groups to break down by"))
	}
	for _, g := range req.Groups {
		set, err := p.addGroup(g)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.groupOf = append(p.groupOf, set)
	}
	if len(p.Dims) > MaxBreakdownDims {
		errs = append(errs, fmt.Errorf("%d dimensions, more than %d", len(p.Dims), MaxBreakdownDims))
	}
	errs = append(errs, checkRanges(p.Ranges)...)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("rule %q: breakdown: %w", q.Rule, err)
	}
	return p, nil
}

func checkBreakdownQuery(q Query) error {
	if q.Kind() == KindSQL {
		return fmt.Errorf("rule %q: a metric written as sql cannot be broken down by dimensions; use table, timestamp and value", q.Rule)
	}
	if errs := q.validateForm(); len(errs) > 0 {
		return fmt.Errorf("rule %q: %w", q.Rule, errors.Join(errs...))
	}
	return nil
}

// addGroup records the dimensions of one group and returns its set.
func (p *Plan) addGroup(dims []string) (int, error) {
	if len(dims) == 0 {
		return 0, errors.New("a group without dimensions")
	}
	set := make([]int, 0, len(dims))
	for _, d := range dims {
		if err := checkDimension(d); err != nil {
			return 0, err
		}
		i := slices.Index(p.Dims, d)
		if i < 0 {
			i = len(p.Dims)
			p.Dims = append(p.Dims, d)
		}
		if slices.Contains(set, i) {
			return 0, fmt.Errorf("dimension %q twice in the group %v", d, dims)
		}
		set = append(set, i)
	}
	slices.Sort(set)
	for j, s := range p.Sets {
		if slices.Equal(s, set) {
			return j, nil
		}
	}
	p.Sets = append(p.Sets, set)
	return len(p.Sets) - 1, nil
}

func checkDimension(d string) error {
	if strings.TrimSpace(d) == "" {
		return errors.New("a dimension with an empty name")
	}
	if strings.ContainsFunc(d, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("dimension %q: control characters in the name", d)
	}
	return nil
}

// checkRanges reports empty, missing and overlapping ranges.
func checkRanges(rs []explain.Range) []error {
	var errs []error
	if len(rs) < 2 {
		errs = append(errs, errors.New("no baseline buckets"))
	}
	if len(rs) > MaxBreakdownRanges {
		return append(errs, fmt.Errorf("%d buckets, more than %d", len(rs), MaxBreakdownRanges))
	}
	for i, r := range rs {
		if r.From.IsZero() || !r.To.After(r.From) {
			errs = append(errs, fmt.Errorf("%s: empty range [%s, %s)", rangeName(i), stamp(r.From), stamp(r.To)))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return rs[a].From.Compare(rs[b].From) })
	for k := 1; k < len(idx); k++ {
		a, b := idx[k-1], idx[k]
		if rs[b].From.Before(rs[a].To) {
			errs = append(errs, fmt.Errorf("%s and %s overlap", rangeName(a), rangeName(b)))
		}
	}
	return errs
}

func rangeName(i int) string {
	if i == 0 {
		return "the current bucket"
	}
	return fmt.Sprintf("baseline bucket %d", i)
}

// Periods returns the number of periods, the current one included.
func (p *Plan) Periods() int { return len(p.Ranges) }

// Keep returns the values of dimension d to report, and whether the request
// limits it at all; values outside the list are reported as explain.Other.
func (p *Plan) Keep(d string) ([]string, bool) {
	vals, ok := p.Request.Keep[d]
	return vals, ok
}

// InSet reports whether dimension column i is grouped in set s.
func (p *Plan) InSet(s, i int) bool { return slices.Contains(p.Sets[s], i) }

// Ratio reports whether the metric is a ratio, whose rows carry a numerator
// and a denominator.
func (p *Plan) Ratio() bool { return p.Query.Kind() == KindRatio }
