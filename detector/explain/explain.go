// Package explain finds which segments of a metric drove an anomaly.
//
// Given the detector's actual and expected values for one bucket, Explain
// fetches the metric broken down by each dimension at that bucket and at the
// baseline buckets the detector used, scales the baseline so the parts add up
// to the expected value, and ranks dimensions and values by how much of the
// change they account for and how surprising the shift is. When no single
// dimension explains enough with a few values, it drills into combinations of
// two and then three dimensions, within a budget of queries and time.
//
// The package is pure apart from the Fetcher it is handed: it reads no clock
// except through the context's deadline, logs nothing and knows no SQL.
package explain

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Other is the value a breakdown reports for values folded together: those
// beyond TopK, or outside a Keep list. It is never an explanation by itself.
// A real value spelled the same is taken for it.
const Other = "(other)"

// Fetcher runs breakdown queries for one metric. Sources implement it with
// GROUPING SETS (DuckDB) or one SELECT per group joined by UNION ALL
// (ClickHouse); the metric, table and filter are the fetcher's own.
type Fetcher interface {
	Breakdown(ctx context.Context, req Request) ([]Cell, error)
}

// FetcherFunc adapts a function to the Fetcher interface.
type FetcherFunc func(ctx context.Context, req Request) ([]Cell, error)

// Breakdown calls f.
func (f FetcherFunc) Breakdown(ctx context.Context, req Request) ([]Cell, error) {
	return f(ctx, req)
}

// Range is the half-open time range [From, To) of one bucket.
type Range struct {
	From time.Time
	To   time.Time
}

// Request asks for the metric broken down several ways at once.
//
// Each group is answered over the same rows: every row of the metric (after
// the rule's filter) falls in exactly one cell of each group, so the cells of
// any group add up to the metric's total. NULL dimension values are reported
// as the empty string.
type Request struct {
	// Groups lists the breakdowns wanted: each is one dimension or a
	// combination of two or three, in the order the cells' Values follow.
	Groups [][]string
	// Current is the anomalous bucket.
	Current Range
	// Baseline are the buckets behind the detector's expected value, for
	// example the same slot in each of the previous eight weeks.
	Baseline []Range
	// Keep, when it has an entry for a dimension, lists the values of that
	// dimension to report; every other value is reported as Other. Values
	// reach SQL only bound or escaped.
	Keep map[string][]string
	// TopK, when positive, limits each dimension without a Keep entry to the
	// TopK values that moved most, the rest reported as Other. Fold defines
	// "moved most" exactly; a source may ignore TopK and Keep and return
	// every value, and Explain folds what it gets the same way.
	TopK int
}

// Cell is one value (or combination of values) of one group.
//
// For a plain metric (count, sum) Current is the metric's value over the
// cell's rows in Request.Current, and Baseline is the mean of its value over
// the Request.Baseline buckets: the sum over all of them divided by
// len(Request.Baseline), a bucket without rows counting as zero. The mean is
// used rather than the median because means add up across cells and medians
// do not; Explain rescales baselines to the detector's expected value, so
// only their proportions matter.
//
// For a ratio metric (numerator / denominator) the four Num and Den fields
// hold the sums of numerator and denominator in the same way (current sums,
// baseline means per bucket), and Current and Baseline are ignored.
type Cell struct {
	Group  int      // index into Request.Groups
	Values []string // one per dimension of the group, in its order
	Current,
	Baseline float64
	CurrentNum, CurrentDen,
	BaselineNum, BaselineDen float64
}

// Input is what the detector concluded about one bucket, and how to break the
// metric down.
type Input struct {
	Metric string         // the metric's name, as the sentence starts ("orders")
	Unit   string         // optional: "$", "%", "ms"; "%" means values are fractions
	At     time.Time      // start of the anomalous bucket
	Step   time.Duration  // bucket width; whole days are calendar days in Loc
	Loc    *time.Location // zone for the sentence and calendar steps; nil is UTC
	// Actual and Expected are the detector's value and expected value.
	Actual, Expected float64
	// Scale is the detector's standard deviation of the metric at At (see
	// ScaleOf), or 0 when unknown. With it, a segment stands out only when
	// its move is beyond noise; without it, any disproportionate move does.
	Scale      float64
	Dimensions []string // the dimensions to break down by
	Ratio      bool     // the metric is numerator / denominator
	Baseline   []Range  // the buckets behind Expected
}

// Options bound the search. The zero value uses the defaults.
type Options struct {
	MinShare    float64       // share of the change that counts as explained; default 0.8
	MaxQueries  int           // Breakdown calls at most; default 3, one per level
	MaxDuration time.Duration // time for all queries; default 20s
	MaxDepth    int           // largest combination searched, 1 to 3; default 3
	TopK        int           // values kept per dimension at the first level; default 20, negative keeps all
	MaxSegments int           // segments an explanation may name; default 3
	MinZ        float64       // standard deviations beyond which a segment stands out; default 3
}

// Defaults of Options.
const (
	DefaultMinShare    = 0.8
	DefaultMaxQueries  = 3
	DefaultMaxDuration = 20 * time.Second
	DefaultMaxDepth    = 3
	DefaultTopK        = 20
	DefaultMaxSegments = 3
	DefaultMinZ        = 3.0
)

func (o Options) withDefaults() (Options, error) {
	var errs []error
	fill := func(cond bool, set func()) {
		if cond {
			set()
		}
	}
	fill(o.MinShare == 0, func() { o.MinShare = DefaultMinShare })
	fill(o.MaxQueries == 0, func() { o.MaxQueries = DefaultMaxQueries })
	fill(o.MaxDuration == 0, func() { o.MaxDuration = DefaultMaxDuration })
	fill(o.MaxDepth == 0, func() { o.MaxDepth = DefaultMaxDepth })
	fill(o.TopK == 0, func() { o.TopK = DefaultTopK })
	fill(o.MaxSegments == 0, func() { o.MaxSegments = DefaultMaxSegments })
	fill(o.MinZ == 0, func() { o.MinZ = DefaultMinZ })
	if !(o.MinShare > 0 && o.MinShare <= 1) {
		errs = append(errs, fmt.Errorf("min share %v: want a fraction in (0, 1]", o.MinShare))
	}
	if o.MaxQueries < 1 {
		errs = append(errs, fmt.Errorf("max queries %d: want at least 1", o.MaxQueries))
	}
	if o.MaxDuration < 0 {
		errs = append(errs, fmt.Errorf("max duration %v: want a positive duration", o.MaxDuration))
	}
	if o.MaxDepth < 1 || o.MaxDepth > 3 {
		errs = append(errs, fmt.Errorf("max depth %d: want 1, 2 or 3", o.MaxDepth))
	}
	if o.MaxSegments < 1 {
		errs = append(errs, fmt.Errorf("max segments %d: want at least 1", o.MaxSegments))
	}
	if !(o.MinZ > 0) || math.IsInf(o.MinZ, 0) {
		errs = append(errs, fmt.Errorf("min z %v: want a positive number", o.MinZ))
	}
	return o, errors.Join(errs...)
}

func (in Input) validate() error {
	var errs []error
	if !finite(in.Actual) || !finite(in.Expected) || !finite(in.Actual-in.Expected) {
		errs = append(errs, fmt.Errorf("actual %v and expected %v: both must be numbers, their difference too", in.Actual, in.Expected))
	}
	if !finite(in.Scale) || in.Scale < 0 {
		errs = append(errs, fmt.Errorf("scale %v: want 0 (unknown) or a positive number", in.Scale))
	}
	if in.At.IsZero() {
		errs = append(errs, errors.New("at: the anomalous bucket's start is missing"))
	}
	if in.Step <= 0 {
		errs = append(errs, fmt.Errorf("step %v: want a positive bucket width", in.Step))
	}
	if len(in.Baseline) == 0 {
		errs = append(errs, errors.New("baseline: no baseline buckets to compare with"))
	}
	if len(in.Dimensions) == 0 {
		errs = append(errs, errors.New("dimensions: none to break down by"))
	}
	seen := map[string]bool{}
	for _, d := range in.Dimensions {
		switch {
		case d == "":
			errs = append(errs, errors.New("dimensions: empty name"))
		case seen[d]:
			errs = append(errs, fmt.Errorf("dimensions: %q listed twice", d))
		}
		seen[d] = true
	}
	return errors.Join(errs...)
}

// Explain breaks the anomaly described by in down by its dimensions, through
// f, and returns the segments that explain it. It fails only when the input is
// invalid or the first breakdown cannot be fetched; a failed or cut-off
// deeper search leaves a shallower explanation and a note.
func Explain(ctx context.Context, f Fetcher, in Input, opts Options) (*Explanation, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("explain %s: options: %w", in.Metric, err)
	}
	if err := in.validate(); err != nil {
		return nil, fmt.Errorf("explain %s: %w", in.Metric, err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.MaxDuration)
	defer cancel()
	s := newSearch(f, in, o)
	if err := s.run(ctx); err != nil {
		return nil, fmt.Errorf("explain %s: %w", in.Metric, err)
	}
	return s.result(), nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
