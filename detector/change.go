package detector

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"vigil/internal/humanize"
)

// Change limits how far a bucket may move from the same bucket one or more
// periods ago: hour over hour, day over day, week over week. The expected
// value is the reference, the mean (or median) of the buckets Offset,
// 2·Offset, ... Periods·Offset back, skipping missing ones; the band is the
// reference ± Max, or ± Max·|reference| when Relative.
//
// Offsets count buckets. On a calendar series (whole-day steps) a bucket is
// a local day, so OffsetDuration 7 days is 7 buckets back whatever daylight
// saving does; on sub-day steps an offset is absolute time, so "day over
// day" on an hourly series is 24 hours back, which is a local hour off on
// the two days a year the clocks change.
//
// The band comes from Max alone, so Guards.Threshold (the sensitivity) has
// no effect. Z is 4·(value − reference)/allowed change: a point on the edge
// of the band scores 0.5, the score of a medium-sensitivity breach.
type Change struct {
	// Offset is how many buckets back the reference lies: 1 is the previous
	// bucket, 24 day over day and 168 week over week on an hourly series.
	Offset int
	// OffsetDuration sets the offset as a duration instead (24h, 168h); it
	// must be a whole number of the series' steps. Set Offset or
	// OffsetDuration, not both.
	OffsetDuration time.Duration
	// Periods is how many past periods the reference averages; 0 means 1.
	// At most changeMaxPeriods.
	Periods int
	// Median takes the median of the past periods instead of their mean,
	// so that one unusual past period (a holiday) does not move the reference.
	Median bool
	// Relative makes Max a fraction of the reference (0.2 is ±20%) instead
	// of an amount in the metric's units.
	Relative bool
	// Max is the largest allowed change, above zero.
	Max float64
	Guards
}

// changeMaxPeriods bounds Periods, so a mistyped setting cannot make every
// point read a huge reference window.
const changeMaxPeriods = 1000

// NewChange checks c and returns it with Periods defaulted.
func NewChange(c Change) (Change, error) {
	if err := c.validate(); err != nil {
		return Change{}, err
	}
	c.Periods = c.periods()
	return c, nil
}

func (c Change) periods() int { return max(c.Periods, 1) }

func (c Change) validate() error {
	switch {
	case c.Offset < 0:
		return fmt.Errorf("change: offset must be a positive number of buckets, got %d", c.Offset)
	case c.OffsetDuration < 0:
		return fmt.Errorf("change: offset duration must be positive, got %v", c.OffsetDuration)
	case c.Offset == 0 && c.OffsetDuration == 0:
		return errors.New("change: set an offset: how many buckets (or how long) back to compare with")
	case c.Offset > 0 && c.OffsetDuration > 0:
		return errors.New("change: set offset in buckets or as a duration, not both")
	case c.Offset > math.MaxInt32:
		return fmt.Errorf("change: offset %d buckets is too large", c.Offset)
	case c.Periods < 0 || c.Periods > changeMaxPeriods:
		return fmt.Errorf("change: periods must be between 1 and %d, got %d", changeMaxPeriods, c.Periods)
	case !thresholdFinite(c.Max) || c.Max <= 0:
		return fmt.Errorf("change: max change must be a finite number above 0, got %v", c.Max)
	}
	return thresholdCheckGuards("change", c.Guards)
}

// lag resolves the offset in buckets against the series' step.
func (c Change) lag(step time.Duration) (int, error) {
	if c.Offset > 0 {
		return c.Offset, nil
	}
	d := c.OffsetDuration
	if d%step != 0 || d/step > math.MaxInt32 {
		return 0, fmt.Errorf("change: offset %s is not a whole number of %s buckets", changeDuration(d), changeDuration(step))
	}
	return int(d / step), nil
}

// Detect judges s.Values[from:] against the same buckets in past periods.
// It returns ErrNotEnoughData when the series is too short for even its
// last point to have a reference.
func (c Change) Detect(s Series, from int) ([]Point, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := thresholdCheckSeries("change", s, from); err != nil {
		return nil, err
	}
	lag, err := c.lag(s.Step)
	if err != nil {
		return nil, err
	}
	if s.Len() <= lag {
		return nil, fmt.Errorf("change: %d buckets do not reach %d buckets back: %w", s.Len(), lag, ErrNotEnoughData)
	}
	g := c.Guards
	g.Threshold = ThresholdMedium // band = reference ± 4·(allowed/4) = reference ± allowed
	var buf []float64
	if c.Median {
		buf = make([]float64, 0, c.periods())
	}
	pts := make([]Point, s.Len()-from)
	for k := range pts {
		i := from + k
		p := &pts[k]
		p.Index, p.Time, p.Value = i, s.Time(i), s.Values[i]
		ref := c.reference(s.Values, i, lag, buf)
		if math.IsInf(ref, 0) { // a mean that overflowed: no usable reference
			ref = math.NaN()
		}
		allowed := c.Max
		if c.Relative {
			allowed = math.Min(allowed*math.Abs(ref), math.MaxFloat64)
		}
		g.JudgeScale(p, ref, allowed/ThresholdMedium, Volume(s, i, ref))
	}
	return pts, nil
}

// reference returns the mean (or median) of the values lag, 2·lag, ...
// periods·lag before i, skipping missing and infinite ones, or NaN when none
// is left.
func (c Change) reference(v []float64, i, lag int, buf []float64) float64 {
	n := c.periods()
	if c.Median {
		buf = buf[:0]
		for j, m := i-lag, 0; j >= 0 && m < n; j, m = j-lag, m+1 {
			if x := v[j]; thresholdFinite(x) {
				buf = append(buf, x)
			}
		}
		return changeMedian(buf)
	}
	mean, cnt := math.NaN(), 0
	for j, m := i-lag, 0; j >= 0 && m < n; j, m = j-lag, m+1 {
		if x := v[j]; thresholdFinite(x) {
			cnt++
			if cnt == 1 {
				mean = x
			} else {
				mean += (x - mean) / float64(cnt) // no overflow near MaxFloat64
			}
		}
	}
	return mean
}

// changeMedian sorts x in place and returns its median, NaN when empty.
func changeMedian(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return x[n/2-1]/2 + x[n/2]/2
}

// changeDuration formats d for messages: "1h", "7d", "1h30m", "30s".
// humanize.Duration cuts "1h30m0s" to "1h3" and "30s" to "3", so only whole
// hours, days and weeks go through it.
func changeDuration(d time.Duration) string {
	if d > 0 && d%time.Hour == 0 {
		return humanize.Duration(d)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	return s
}
