package detector

import (
	"errors"
	"fmt"
	"math"
)

// STL judges each point against a forecast from a robust seasonal-trend
// decomposition by LOESS (Cleveland et al. 1990) of the seasons before it.
//
// Points are judged in blocks of Refit buckets. Block k starts at bucket
// k·Refit and is forecast from one decomposition of the Seasons·Period
// buckets before that start: the trend's last level plus its slope over the
// last season, plus the seasonal component of the point's slot in the last
// season. The band's scale is the robust spread of the fitted remainders,
// corrected for the smoothers' leverage so that it estimates the error of a
// forecast rather than of a fit. Block starts depend only on the index, so a
// verdict never changes when later points are added or removed.
//
// Gaps (NaN) are linearly interpolated for fitting and never judged. A block
// whose window has fewer than two seasons of buckets, or fewer than half of
// them observed, is not judged (Expected is NaN).
type STL struct {
	Period  int // buckets per season, at least 2
	Seasons int // seasons of history per decomposition; 0 means 6, at least 2
	Refit   int // buckets per block between decompositions; 0 means Period
	// SeasonalSpan is the seasonal smoother's span in seasons, odd and at
	// least 3; 0 means 7. Larger spans give a steadier seasonal pattern.
	SeasonalSpan int
	// TrendSpan is the trend smoother's span in buckets, odd; 0 means
	// STL's default, the next odd integer from 1.5·Period/(1−1.5/SeasonalSpan).
	TrendSpan int
	// Robust is the number of robustness iterations (bisquare weights on
	// the remainders); 0 means 1, negative means none.
	Robust int
	Guards
}

// Defaults of STL.
const (
	stlDefaultSeasons = 6
	stlDefaultSpan    = 7
)

// NewSTL validates c and returns it with its defaults filled in.
func NewSTL(c STL) (STL, error) {
	if c.Period < 2 {
		return c, fmt.Errorf("stl: period must be at least 2 buckets, got %d", c.Period)
	}
	if c.Seasons == 0 {
		c.Seasons = stlDefaultSeasons
	}
	if c.Seasons < 2 {
		return c, fmt.Errorf("stl: seasons must be at least 2, got %d", c.Seasons)
	}
	if c.Refit == 0 {
		c.Refit = c.Period
	}
	if c.Refit < 1 {
		return c, fmt.Errorf("stl: refit must be at least 1 bucket, got %d", c.Refit)
	}
	if c.SeasonalSpan == 0 {
		c.SeasonalSpan = stlDefaultSpan
	}
	if c.SeasonalSpan < 3 || c.SeasonalSpan%2 == 0 {
		return c, fmt.Errorf("stl: seasonal span must be odd and at least 3, got %d", c.SeasonalSpan)
	}
	if c.TrendSpan != 0 && (c.TrendSpan < 3 || c.TrendSpan%2 == 0) {
		return c, fmt.Errorf("stl: trend span must be odd and at least 3, got %d", c.TrendSpan)
	}
	if err := thresholdCheckGuards("stl", c.Guards); err != nil {
		return c, err
	}
	return c, nil
}

func (c STL) params() stlParams {
	p := stlDefaults(c.Period, c.SeasonalSpan)
	if c.TrendSpan > 0 {
		p.trend = c.TrendSpan
	}
	p.outer = max(c.Robust, 0)
	if c.Robust == 0 {
		p.outer = 1
	}
	return p
}

// Detect judges s.Values[from:], each point from the seasons before its
// block only.
func (c STL) Detect(s Series, from int) ([]Point, error) {
	c, err := NewSTL(c)
	if err != nil {
		return nil, err
	}
	pts, err := stlXStart(s, from)
	if err != nil || len(pts) == 0 {
		return pts, err
	}
	var w stlWork
	buf := make([]float64, 0, c.Seasons*c.Period)
	var dev []float64
	p := c.params()
	judged := false
	for i := from; i < len(s.Values); {
		start := i - i%c.Refit
		end := min(start+c.Refit, len(s.Values))
		a := max(0, start-c.Seasons*c.Period)
		var fc stlForecast
		if stlXFill(s.Values[a:start], &buf, 2*c.Period) {
			fc = stlForecast{fit: w.decompose(buf, p), period: c.Period}
			fc.calibrate(s.Values[a:start], &dev)
		}
		for ; i < end; i++ {
			pt := &pts[i-from]
			if !fc.ok() {
				continue
			}
			expected, scale := fc.at(i - a)
			c.JudgeScale(pt, expected, scale, Volume(s, i, expected))
			judged = true
		}
	}
	if !judged {
		return pts, fmt.Errorf("stl: need at least two seasons (%d buckets) of history, half of them observed: %w", 2*c.Period, ErrNotEnoughData)
	}
	return pts, nil
}

// stlXStart checks from and returns the unjudged points of s.Values[from:].
func stlXStart(s Series, from int) ([]Point, error) {
	n := len(s.Values)
	if n == 0 {
		return nil, fmt.Errorf("empty series: %w", ErrNotEnoughData)
	}
	if from < 0 || from > n {
		return nil, fmt.Errorf("from %d is outside the series of %d buckets", from, n)
	}
	if s.Weight != nil && len(s.Weight) != n {
		return nil, errors.New("series has weights of a different length than its values")
	}
	pts := make([]Point, n-from)
	nan := math.NaN()
	for i := range pts {
		pts[i] = Point{Index: from + i, Time: s.Time(from + i), Value: s.Values[from+i],
			Expected: nan, Lower: nan, Upper: nan}
	}
	return pts, nil
}

// stlXFill copies v into buf with gaps (NaN, and infinities, which no fit
// can use) linearly interpolated and the ends carried, and reports whether v
// has at least minLen buckets, half of them observed.
func stlXFill(v []float64, buf *[]float64, minLen int) bool {
	if len(v) < minLen {
		return false
	}
	b := (*buf)[:0]
	last, seen := -1, 0
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b = append(b, 0)
			continue
		}
		seen++
		if last < 0 {
			for k := range i {
				b[k] = x
			}
		} else {
			d := (x - v[last]) / float64(i-last)
			for k := last + 1; k < i; k++ {
				b[k] = v[last] + d*float64(k-last)
			}
		}
		b = append(b, x)
		last = i
	}
	*buf = b
	if 2*seen < len(v) {
		return false
	}
	for k := last + 1; k < len(v); k++ {
		b[k] = v[last]
	}
	return true
}

// stlForecast turns a decomposition of a window into forecasts of the
// buckets after it.
type stlForecast struct {
	fit    *stlFit
	period int
	sigma  float64 // robust scale of one-bucket noise
	slope  float64 // trend change per bucket over the last season
}

func (f *stlForecast) ok() bool { return f.fit != nil }

// calibrate sets the noise scale from the remainders of the observed
// buckets, each divided by √(1−h) where h is its leverage in the smoothers,
// which undoes the shrinkage of fitted remainders.
func (f *stlForecast) calibrate(v []float64, scratch *[]float64) {
	fit := f.fit
	m := len(fit.trend)
	dev := (*scratch)[:0]
	var level float64
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		level += math.Abs(x)
		dev = append(dev, math.Abs(fit.remainder[i])/fit.shrink[i])
	}
	*scratch = dev
	level /= float64(len(dev))
	f.sigma = max(1.4826*stlMedianInPlace(dev), stlScaleFloor*level)
	f.slope = (fit.trend[m-1] - fit.trend[m-1-f.period]) / float64(f.period)
}

// stlScaleFloor is the smallest scale relative to the series' level, so that
// floating-point noise in a constant series is not taken for signal.
const stlScaleFloor = 1e-9

// at returns the forecast and its scale for window position x ≥ len(window).
func (f *stlForecast) at(x int) (expected, scale float64) {
	fit := f.fit
	m := len(fit.trend)
	d := x - (m - 1)
	q := m - 1 - (f.period-d%f.period)%f.period
	expected = fit.trend[m-1] + f.slope*float64(d) + fit.seasonal[q]
	// The variance of the forecast, in units of the noise variance: the new
	// point's own noise, the seasonal estimate's, and the extrapolated
	// trend's, (1+d/P)·T[m−1] − (d/P)·T[m−1−P], taking the two trend values
	// as independent.
	r := float64(d) / float64(f.period)
	v := 1 + fit.forecastVar[q%f.period] + (1+r)*(1+r)*fit.trendEndVar + r*r*fit.trendMidVar
	return expected, f.sigma * math.Sqrt(v)
}
