package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

// Explain evaluates the rule named rule on the bucket that contains at, as
// an evaluation would judge it, and breaks that bucket down whether it is
// anomalous or not. Nothing is notified. The Result holds the detector's
// verdicts; the error says why there is no explanation (an unknown rule, a
// failed evaluation, no expected value, no dimensions, a failed query).
// A bucket that has not settled yet is explained with a note saying so.
func (e *Engine) Explain(ctx context.Context, rule string, at time.Time) (Result, *explain.Explanation, error) {
	var r Rule
	found := false
	for _, x := range e.rules {
		if x.Name() == rule {
			r, found = x, true
		}
	}
	if !found {
		return Result{}, nil, fmt.Errorf("no rule named %q; the rules are: %s", rule, strings.Join(e.Rules(), ", "))
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	m := r.Metric
	var bucket time.Time
	if m.Granularity > 0 {
		bucket = sources.Floor(at, m.Granularity, location(m))
	}
	res := evaluateBucket(ctx, r, bucket, e.now())
	if res.Err != nil {
		return res, nil, fmt.Errorf("rule %q: %w", rule, res.Err)
	}
	p, ok := res.Latest()
	if !ok {
		return res, nil, fmt.Errorf("rule %q: no verdict on the bucket at %s", rule, stamp(bucket, res.Location))
	}
	x, err := explainPoint(ctx, r, res, p)
	if err != nil {
		return res, nil, fmt.Errorf("rule %q: %w", rule, err)
	}
	settles := shift(bucket, m.Granularity, res.Location, 1).Add(m.Delay)
	if settles.After(e.now()) {
		x.Notes = append(x.Notes, fmt.Sprintf("the bucket settles only at %s: its data may still be incomplete",
			stamp(settles, res.Location)))
	}
	return res, x, nil
}
