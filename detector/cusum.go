package detector

import (
	"fmt"
	"math"
	"time"
)

// CUSUM detects level shifts, including slow drifts that no single bucket
// reveals, with a two-sided tabular CUSUM (Page) on robustly standardised
// residuals:
//
//	r = (value − reference) / sigma, clipped to ±(K + 2)
//	S⁺ = max(0, S⁺ + r − K),  S⁻ = max(0, S⁻ − r − K)
//
// and an alarm when S⁺ or S⁻ exceeds H. The alarm's change point is the
// bucket where that statistic last left zero; ChangePoints lists them and
// Detect's Reason names them: "level 18% lower since 2026-11-20 13:00 UTC
// (30 buckets): about 3,610 against the expected 4,400". Clipping makes one
// wild bucket or a heavy-tailed metric unable to drive an alarm; a large
// step still alarms within about H/2 buckets, and single-bucket methods
// catch it at once.
//
// Reference and sigma are learnt from the Window buckets before the point:
// the window's median, or with a Period the median of each slot (hour of
// day, say) over the window's seasons. Sigma is 1.4826·MAD of out-of-sample
// residuals, values less the median of the same slot in the previous
// seasons, or without a Period the window's deviations from its median
// inflated by √(1+π/2n) for the noise of that median (the mean absolute
// deviation stands in for a MAD of 0).
//
// The baseline is refreshed once every Period buckets (every Window/4
// without a Period), at buckets aligned to the Unix epoch, rather than at
// every bucket: the reference should be stable for a level-shift detector
// anyway, and the cost stays linear in the series. A refresh never reads
// the point judged or later ones, nor an excursion under way: while S⁺ or
// S⁻ is above zero the baseline ends where that excursion began, so a slow
// drift cannot pull the reference along with it.
//
// After an alarm both statistics restart from zero and stay there for as
// many buckets as the alarm's run took, while the new level is measured:
// the reference becomes the one in force plus the median residual since
// the change point, from the buckets after the alarm alone once the quiet
// spell ends (the alarm's own run overstates the shift, being picked for
// its extremes). Later baselines read only data from the change point on,
// and sigma is kept until there is a window of such data. An alarm is thus
// an event: the point where a shift is detected is anomalous, later points
// are judged against the new level, and a drift that goes on raises
// further alarms.
//
// H defaults from Guards.Threshold: the h whose false-alarm rate equals
// that of a single-bucket check at that threshold on Gaussian noise,
// allowing for the sampling error of a baseline of Window values (see
// cusumHLearnt). Direction filters alarms by side, MinDelta and MinRelDelta
// apply to the estimated shift, MinVolume to the alarm bucket; an alarm the
// guards suppress still restarts the statistics. Z is the single-bucket
// z-score with the false-alarm rate of the larger statistic, scaled so that
// it reaches the threshold exactly when the statistic reaches H. Expected
// is the reference; Lower and Upper are the single-bucket band reference ±
// threshold·sigma, for charts: an alarm can fall inside it, as the
// evidence is the run, not the bucket. Missing and infinite values are
// skipped. Points before the first baseline are not judged.
type CUSUM struct {
	// Period is the season in buckets (24 on an hourly series for a daily
	// pattern); 0 turns seasonal adjustment off.
	Period int
	// Window is the baseline length in buckets, at least cusumMinWindow.
	// With a Period it must be a whole number of seasons, at least two.
	// 0 means four seasons, or 168 buckets without a Period. At least half
	// of a window must be present for a baseline.
	Window int
	// K is the allowance in sigmas: drifts smaller than K are ignored and
	// shifts of about 2K are found fastest. 0 means 0.5.
	K float64
	// H is the decision interval in sigmas. 0 derives it from
	// Guards.Threshold and the window: with K = 0.5 about 5.4, 11 and 23
	// for high, medium and low sensitivity with a 168-bucket window, 5.9,
	// 14 and 61 with 96 buckets.
	H float64
	Guards
}

// ChangePoint is a level shift CUSUM detected: it started at bucket Start
// and was detected at bucket Index.
type ChangePoint struct {
	Index, Start    int
	Time, StartTime time.Time
	// Shift is the estimated change of level, in the metric's units: the
	// mean of value − reference from Start to Index. Negative for a drop.
	Shift float64
	// Expected is the mean reference over the same buckets, so that
	// Shift/Expected is the relative change.
	Expected float64
}

// Limits of CUSUM's settings.
const (
	cusumMinWindow    = 10
	cusumMaxWindow    = 1 << 20
	cusumDefaultK     = 0.5
	cusumDefaultNoSea = 168
	cusumDefaultSeas  = 4
	cusumClip         = 2 // sigmas beyond K that one bucket may add to a statistic
)

// NewCUSUM checks c and returns it with K, Window and H filled in.
func NewCUSUM(c CUSUM) (CUSUM, error) {
	s, err := c.settings()
	if err != nil {
		return CUSUM{}, err
	}
	c.Window, c.K, c.H = s.w, s.k, s.h
	return c, nil
}

// cusumSettings are CUSUM's settings with defaults resolved.
type cusumSettings struct {
	p, w, seasons int
	k, h, clip    float64
	zScale        float64 // h for known parameters over h, to map S to Z
	refresh       int
}

func (c CUSUM) settings() (cusumSettings, error) {
	if err := c.validate(); err != nil {
		return cusumSettings{}, err
	}
	s := cusumSettings{p: max(c.Period, 1), w: c.Window, k: c.K, h: c.H}
	if s.w == 0 {
		s.w = cusumDefaultNoSea
		if c.Period > 0 {
			s.w = cusumDefaultSeas * c.Period
		}
	}
	if s.k == 0 {
		s.k = cusumDefaultK
	}
	h0 := cusumH(c.threshold(), s.k)
	if s.h == 0 {
		s.h = cusumHLearnt(c.threshold(), s.k, s.w)
	}
	s.zScale = h0 / s.h
	s.clip = s.k + cusumClip
	s.seasons = s.w / s.p
	s.refresh = s.p
	if c.Period == 0 {
		s.refresh = max(1, s.w/4)
	}
	return s, nil
}

func (c CUSUM) validate() error {
	switch {
	case c.Period < 0 || c.Period > cusumMaxWindow/2:
		return fmt.Errorf("cusum: period must be between 0 and %d buckets, got %d", cusumMaxWindow/2, c.Period)
	case c.Window < 0 || c.Window > cusumMaxWindow:
		return fmt.Errorf("cusum: window must be between %d and %d buckets, got %d", cusumMinWindow, cusumMaxWindow, c.Window)
	case c.Window > 0 && c.Window < cusumMinWindow:
		return fmt.Errorf("cusum: window must be at least %d buckets, got %d", cusumMinWindow, c.Window)
	case c.Period > 0 && c.Window > 0 && (c.Window%c.Period != 0 || c.Window < 2*c.Period):
		return fmt.Errorf("cusum: window of %d buckets must be a whole number of %d-bucket seasons, at least two", c.Window, c.Period)
	case c.Period > 0 && c.Window == 0 && cusumDefaultSeas*c.Period < cusumMinWindow:
		return fmt.Errorf("cusum: %d seasons of %d buckets is below the %d-bucket minimum window; set a longer window", cusumDefaultSeas, c.Period, cusumMinWindow)
	case !(c.K >= 0 && c.K <= 10):
		return fmt.Errorf("cusum: allowance k must be between 0 and 10 sigmas, got %v", c.K)
	case !(c.H >= 0 && c.H <= 1000):
		return fmt.Errorf("cusum: decision interval h must be between 0 and 1000 sigmas, got %v", c.H)
	}
	return thresholdCheckGuards("cusum", c.Guards)
}

// Detect judges s.Values[from:]. The statistics run from the start of the
// series, so judging only the latest point still reads the whole series.
// It returns ErrNotEnoughData when the series is shorter than half a
// window, too short for any baseline.
func (c CUSUM) Detect(s Series, from int) ([]Point, error) {
	pts, _, err := c.run(s, from, true)
	return pts, err
}

// ChangePoints returns the level shift behind each anomalous point that
// Detect reports for s.Values[from:], in order.
func (c CUSUM) ChangePoints(s Series, from int) ([]ChangePoint, error) {
	_, cps, err := c.run(s, from, false)
	return cps, err
}

func (c CUSUM) run(s Series, from int, points bool) ([]Point, []ChangePoint, error) {
	set, err := c.settings()
	if err != nil {
		return nil, nil, err
	}
	if err := thresholdCheckSeries("cusum", s, from); err != nil {
		return nil, nil, err
	}
	if 2*s.Len() < set.w {
		return nil, nil, fmt.Errorf("cusum: %d buckets are less than half the %d-bucket window: %w", s.Len(), set.w, ErrNotEnoughData)
	}
	r := newCUSUMRun(c, set, s, from, points)
	for t := range s.Values {
		r.step(t)
	}
	return r.pts, r.cps, nil
}

// cusumReason words an alarm: "level 18% lower since 2026-11-20 13:00 UTC
// (30 buckets): about 3,610 against the expected 4,400".
func cusumReason(s Series, cp ChangePoint) string {
	side := "higher"
	if cp.Shift < 0 {
		side = "lower"
	}
	var move string
	if cp.Expected != 0 {
		move = cusumPercent(cp.Shift / cp.Expected)
	} else {
		move = cusumNumber(math.Abs(cp.Shift))
	}
	layout := "2006-01-02 15:04 MST"
	if s.Calendar() {
		layout = "2006-01-02"
	}
	n := cp.Index - cp.Start + 1
	buckets := "buckets"
	if n == 1 {
		buckets = "bucket"
	}
	return fmt.Sprintf("level %s %s since %s (%d %s): about %s against the expected %s",
		move, side, cp.StartTime.In(s.Location()).Format(layout), n, buckets,
		cusumNumber(cp.Expected+cp.Shift), cusumNumber(cp.Expected))
}
