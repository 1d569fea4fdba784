package detector

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Clean wraps d so that the history it learns from leaves out excluded
// buckets: those of past incidents, analysts' feedback, mute windows and
// holidays, which would otherwise teach a baseline that an outage or a
// holiday is normal. A bucket whose start exclude reports is missing (NaN)
// wherever it is history for another bucket, but never for its own
// verdict: a judged bucket keeps its value and is judged against the
// cleaned history before it. So the verdict on a bucket is the same
// whatever from is, and reads nothing after the bucket. A nil exclude
// returns d itself.
//
// exclude must depend only on what is known about the buckets' times, not
// on the series' values.
//
// Cost: one run of d, plus one run over the series up to each judged bucket
// that exclude reports.
func Clean(d Detector, exclude func(bucket time.Time) bool) Detector {
	if exclude == nil {
		return d
	}
	return clean{d: d, exclude: exclude}
}

type clean struct {
	d       Detector
	exclude func(time.Time) bool
}

// Detect masks the excluded buckets of s and judges s.Values[from:] with
// the wrapped detector, each excluded judged bucket on its own.
func (c clean) Detect(s Series, from int) ([]Point, error) {
	if err := wrapCheck("clean", s, from); err != nil {
		return nil, err
	}
	var masked []float64
	var own []int // judged buckets that are masked as history
	for i, v := range s.Values {
		if math.IsNaN(v) || !c.exclude(s.Time(i)) {
			continue
		}
		if masked == nil {
			masked = slices.Clone(s.Values)
		}
		masked[i] = math.NaN()
		if i >= from {
			own = append(own, i)
		}
	}
	if masked == nil {
		return c.d.Detect(s, from)
	}
	cs := s
	cs.Values = masked
	pts, err := c.d.Detect(cs, from)
	if err != nil {
		return nil, err
	}
	if err := wrapPoints("clean", pts, s, from); err != nil {
		return nil, err
	}
	for _, i := range own {
		p, err := c.judgeOwn(cs, i, s.Values[i])
		if err != nil {
			return nil, err
		}
		pts[i-from] = p
	}
	return pts, nil
}

// judgeOwn judges bucket i of the cleaned series cs with its own value v, as
// the latest bucket. cs.Values belongs to this call, so bucket i is put
// back for the judgement and masked again after it.
func (c clean) judgeOwn(cs Series, i int, v float64) (Point, error) {
	cut := cs
	cut.Values = cs.Values[:i+1]
	cut.Values[i] = v
	defer func() { cut.Values[i] = math.NaN() }()
	if cs.Weight != nil {
		cut.Weight = cs.Weight[:i+1]
	}
	pts, err := c.d.Detect(cut, i)
	switch {
	case errors.Is(err, ErrNotEnoughData):
		nan := math.NaN()
		return Point{Index: i, Time: cs.Time(i), Value: v, Expected: nan, Lower: nan, Upper: nan}, nil
	case err != nil:
		return Point{}, err
	case len(pts) != 1:
		return Point{}, fmt.Errorf("clean: the wrapped detector returned %d points for 1 bucket", len(pts))
	}
	return pts[0], nil
}
