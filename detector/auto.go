package detector

import (
	"fmt"
	"math"
	"time"
)

// Choice is the method Choose picks for a series, with the reason in plain
// words.
type Choice struct {
	Seasonality string // "none", "daily" or "weekly"
	Period      int    // buckets per season; 0 for none
	// Method is "seasonal" (robust seasonal baseline), "stl", "holtwinters"
	// or "cusum" (level shifts on a flat series).
	Method string
	Why    string // e.g. "weekly seasonality (autocorrelation 0.71 at 168 h), trend weak (0.12): seasonal baseline"
}

// Builder makes the detector for a choice. The engine passes one that knows
// every method; AutoBuild knows the methods of this file family.
type Builder func(Choice, Guards) (Detector, error)

// Auto is a Detector that picks its method with Choose from the points
// before from, then judges with the detector its Builder makes.
type Auto struct {
	Build Builder // nil means AutoBuild
	Guards
}

// Method names of Choice.
const (
	autoSeasonal    = "seasonal"
	autoSTL         = "stl"
	autoHoltWinters = "holtwinters"
	autoCUSUM       = "cusum"
)

// Thresholds of Choose. Seasonality must be significant: its
// autocorrelation must exceed autoSignificance/√n, which white noise does
// with probability about 0.1% (its sample autocorrelations are roughly
// normal with standard deviation 1/√n). Trend strength is Hyndman's
// max(0, 1 − Var(remainder)/Var(trend+remainder)) from a moving-average
// decomposition; from 0.6 the trend dominates the noise, below 0.3 it is
// weak.
const (
	autoSignificance = 3.0
	autoStrongTrend  = 0.6
	autoWeakTrend    = 0.3
	autoMinPoints    = 20
)

// AutoBuild builds STL and Holt-Winters choices with their defaults. Other
// methods return an error: the caller's Builder builds those.
func AutoBuild(c Choice, g Guards) (Detector, error) {
	switch c.Method {
	case autoSTL:
		return NewSTL(STL{Period: c.Period, Guards: g})
	case autoHoltWinters:
		return NewHoltWinters(HoltWinters{Period: c.Period, Guards: g})
	}
	return nil, fmt.Errorf("auto: no builder for method %q", c.Method)
}

// Detect chooses a method from s.Values[:from], so that nothing after the
// judged points informs the choice, and judges s.Values[from:] with it.
func (a Auto) Detect(s Series, from int) ([]Point, error) {
	if from < 0 || from > len(s.Values) {
		return nil, fmt.Errorf("auto: from %d is outside the series of %d buckets", from, len(s.Values))
	}
	if from == 0 {
		return nil, fmt.Errorf("auto: no history before the judged points to choose a method from: %w", ErrNotEnoughData)
	}
	hist := s
	hist.Values = s.Values[:from]
	c := Choose(hist)
	build := a.Build
	if build == nil {
		build = AutoBuild
	}
	d, err := build(c, a.Guards)
	if err != nil {
		return nil, fmt.Errorf("auto: %s: %w", c.Why, err)
	}
	return d.Detect(s, from)
}

// Choose picks seasonality and method from the series' shape: the
// autocorrelation of the detrended series at one day and one week picks the
// season, and the strength of the trend picks the method.
func Choose(s Series) Choice {
	v, ok := autoFilled(s.Values)
	if !ok || len(v) < autoMinPoints {
		return Choice{Seasonality: "none", Method: autoCUSUM,
			Why: fmt.Sprintf("too little history (%d buckets) to judge seasonality: CUSUM", autoObserved(s.Values))}
	}
	c, why := autoSeason(v, s.Step)
	width := c.Period
	if width == 0 {
		width = autoDailyPeriod(s.Step)
	}
	if width < 3 {
		width = 7
	}
	ft := autoTrendStrength(v, min(width, len(v)/3), c.Period)
	switch {
	case ft >= autoStrongTrend:
		c.Method = autoHoltWinters
		why += fmt.Sprintf(", trend strong (%.2f): Holt-Winters", ft)
	case c.Period == 0:
		c.Method = autoCUSUM
		why += fmt.Sprintf(", flat (trend %.2f): CUSUM", ft)
	case ft >= autoWeakTrend:
		c.Method = autoSTL
		why += fmt.Sprintf(", trend moderate (%.2f): STL", ft)
	default:
		c.Method = autoSeasonal
		why += fmt.Sprintf(", trend weak (%.2f): seasonal baseline", ft)
	}
	c.Why = why
	return c
}

// autoSeason picks none, daily or weekly seasonality for a gap-free v. When
// both lags are significant, a purely daily pattern repeats weekly too, so
// the week is chosen only when a weekly profile explains significantly more
// than a daily one (autoWeekBeatsDay).
func autoSeason(v []float64, step time.Duration) (Choice, string) {
	daily := autoDailyPeriod(step)
	weekly := 7 * daily
	if daily == 1 {
		daily = 0 // a daily step has no daily season
	}
	if 3*weekly > len(v) {
		weekly = 0
	}
	if 3*daily > len(v) {
		daily = 0
	}
	if max(weekly, daily) == 0 {
		return Choice{Seasonality: "none"}, "no seasonality (too short for one)"
	}
	// Each lag is tested on the series less its moving average over that
	// lag: the average removes the trend (a random walk included) and the
	// season, and residuals one lag apart then share no increments, so a
	// wandering level shows no spurious seasonal correlation.
	tau := autoSignificance / math.Sqrt(float64(len(v)-max(weekly, daily)))
	rd, rw := math.NaN(), math.NaN()
	if daily > 0 {
		rd = autoACF(autoDetrend(v, daily), daily)
	}
	if weekly > 0 {
		rw = autoACF(autoDetrend(v, weekly), weekly)
	}
	lag := func(k int) string { return autoLag(k, step) }
	switch {
	case weekly > 0 && rw > tau && (!(rd > tau) || autoWeekBeatsDay(v, daily, weekly)):
		return Choice{Seasonality: "weekly", Period: weekly},
			fmt.Sprintf("weekly seasonality (autocorrelation %.2f at %s)", rw, lag(weekly))
	case daily > 0 && rd > tau:
		return Choice{Seasonality: "daily", Period: daily},
			fmt.Sprintf("daily seasonality (autocorrelation %.2f at %s)", rd, lag(daily))
	}
	why := "no seasonality (autocorrelation"
	if daily > 0 {
		why += fmt.Sprintf(" %.2f at %s,", rd, lag(daily))
	}
	if weekly > 0 {
		why += fmt.Sprintf(" %.2f at %s,", rw, lag(weekly))
	}
	return Choice{Seasonality: "none"}, why + fmt.Sprintf(" below %.2f)", tau)
}

// autoDailyPeriod is the number of buckets in a day, or 0 when the step
// does not divide a day (1 for a daily step).
func autoDailyPeriod(step time.Duration) int {
	const day = 24 * time.Hour
	if step <= 0 || step > day || day%step != 0 {
		return 0
	}
	return int(day / step)
}

// autoLag says lag k in time units: "168 h", "7 d", "90 min".
func autoLag(k int, step time.Duration) string {
	d := time.Duration(k) * step
	switch {
	case d%(24*time.Hour) == 0 && step >= 24*time.Hour:
		return fmt.Sprintf("%d d", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}

// autoFilled returns v with gaps interpolated, or false when fewer than
// half of its points are observed.
func autoFilled(v []float64) ([]float64, bool) {
	var buf []float64
	ok := stlXFill(v, &buf, 1)
	return buf, ok
}

func autoObserved(v []float64) int {
	n := 0
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			n++
		}
	}
	return n
}

// autoWeekBeatsDay is an F-test of a weekly seasonal profile against a
// daily one on v less its weekly moving average: the week's 7·daily−daily
// extra slot means must reduce the residual sum of squares by more than
// noise would. Under the null hypothesis F is near 1 with standard
// deviation √(2/df), so F > 1 + 3√(2/df) is significant at about 0.1%.
func autoWeekBeatsDay(v []float64, daily, weekly int) bool {
	r := autoDetrend(v, weekly)
	df1, df2 := float64(weekly-daily), float64(len(r)-weekly)
	if df2 < 1 {
		return false
	}
	rssDay, rssWeek := autoProfileRSS(r, daily), autoProfileRSS(r, weekly)
	if rssWeek == 0 {
		return rssDay > 0
	}
	f := ((rssDay - rssWeek) / df1) / (rssWeek / df2)
	return f > 1+autoSignificance*math.Sqrt(2/df1)
}

// autoProfileRSS is the residual sum of squares of r about its mean per
// slot of period.
func autoProfileRSS(r []float64, period int) float64 {
	sums, counts := make([]float64, period), make([]float64, period)
	for i, x := range r {
		sums[i%period] += x
		counts[i%period]++
	}
	var rss float64
	for i, x := range r {
		d := x - sums[i%period]/counts[i%period]
		rss += d * d
	}
	return rss
}
