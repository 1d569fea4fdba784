package detector

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Bounds on Seasonal.Seasons. Three is the smallest sample whose median
// still ignores one outlying season; 64 bounds the per-slot buffer that lives
// on the stack.
const (
	seasonalMinSeasons = 3
	seasonalMaxSeasons = 64
)

// Seasonal judges each bucket against the same local time slot of the
// previous Seasons seasons: the same hour on past days for a daily Period,
// the same hour and weekday on past weeks for a weekly one. The expected
// value is the median of those slots (missing ones skipped), each moved onto
// the metric's current level first (Level). The scale is the robust spread
// of the method's own prediction errors over the four weeks before the
// bucket, with the noise taken to grow with the level to the power 0, ½ or 1
// as the errors show, widened for heavy tails and for the size of the
// sample, and never below 0.25% of the expected value (see
// seasonalRun.baseline and docs/detection.md). The verdict comes from the
// embedded Guards.
//
// Slots are taken in the series' zone, so a daylight-saving change does not
// shift the pattern: 09:00 on a Monday in Europe/Berlin is compared with
// 09:00 on past Mondays on both sides of the switch. Where a past season has
// no such local time (the hour skipped in spring) that season is missing for
// the slot; where it has two (the hour repeated in autumn) the occurrence
// with the judged bucket's UTC offset is used.
//
// A point is judged only when at least three of its past slots hold a value
// and three errors lie before it; otherwise its Expected is NaN, its Score 0
// and it is not anomalous. History says how much data before the first
// judged bucket gives the verdicts of a longer series. Seasonal is a value
// with no mutable state and is safe for concurrent use.
type Seasonal struct {
	Period  time.Duration // season length: 24h (daily) or 168h (weekly)
	Seasons int           // past seasons the baseline is taken from, 3 to 64
	Guards

	// Level moves past slots onto the current level of the metric before
	// the median is taken; see LevelAdjust. LevelAuto, the zero value,
	// scales by the growth where the data is positive and the growth can be
	// measured.
	Level LevelAdjust
	// Daily, with a weekly Period, combines the weekly pattern with the last
	// Daily days (1 to 6): the expected value is the weekly median corrected
	// by the median residual of the same local time on those days against
	// their own weekly medians (relative to them on positive data). The
	// baseline then follows a change that persists for more than half of
	// those days. 0, the default, is off.
	Daily int
}

// NewSeasonal returns a Seasonal baseline over the given number of past
// seasons of length period, or an error naming the bad setting.
func NewSeasonal(period time.Duration, seasons int, g Guards) (*Seasonal, error) {
	m := &Seasonal{Period: period, Seasons: seasons, Guards: g}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Validate reports every bad setting of m, joined.
func (m Seasonal) Validate() error {
	var errs []error
	if m.Period != 24*time.Hour && m.Period != 7*24*time.Hour {
		errs = append(errs, fmt.Errorf("seasonal: period must be 24h (daily) or 168h (weekly), got %s", m.Period))
	}
	if m.Seasons < seasonalMinSeasons || m.Seasons > seasonalMaxSeasons {
		errs = append(errs, fmt.Errorf("seasonal: seasons must be between %d and %d, got %d", seasonalMinSeasons, seasonalMaxSeasons, m.Seasons))
	}
	errs = append(errs, seasonalCheckGuards(m.Guards)...)
	errs = append(errs, m.checkOptions()...)
	return errors.Join(errs...)
}

func seasonalCheckGuards(g Guards) []error {
	var errs []error
	check := func(name string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			errs = append(errs, fmt.Errorf("seasonal: %s must be a finite number >= 0, got %v", name, v))
		}
	}
	check("threshold", g.Threshold)
	check("min delta", g.MinDelta)
	check("min relative delta", g.MinRelDelta)
	check("min volume", g.MinVolume)
	if g.Direction < None || g.Direction > Both {
		errs = append(errs, fmt.Errorf("seasonal: unknown direction %d", g.Direction))
	}
	return errs
}

// need is the number of valid past slots a point must have to be judged:
// three, the smallest sample whose median survives one outlying season. The
// scale accounts for the median of fewer values through its predict factor
// and for the errors' sample through the widening, so more slots are not
// needed for an honest band, and a rule judges after three seasons of data.
func (m Seasonal) need() int {
	return seasonalMinSeasons
}

// History returns how far before a judged bucket Detect reads, on a series
// of the given step: the residual window of the scale and its block, the
// recent days of the daily correction, the Seasons past slots of each of
// those buckets (and an hour for a daylight-saving shift), and with a level
// adjustment the growth window before the oldest slot. A series that starts
// this far before the first judged bucket gets the same verdicts as a
// longer one; with less, the earliest errors of the window come from fewer
// slots and the growth of the oldest ones is extrapolated, which is sound
// but may change a verdict near the threshold. It is 0 for a step that does
// not divide the period.
func (m Seasonal) History(step time.Duration) time.Duration {
	if step <= 0 || m.Period%step != 0 {
		return 0
	}
	s := Series{Step: step}
	p, block := int(m.Period/step), seasonalBlock(s)
	wg := seasonalGrowthWindow(s, p)
	back := seasonalWindow(s, p) + block - 1 // the first residual before a judged bucket
	if m.Daily > 0 {
		back += (m.Daily + 1) * max(1, int(24*time.Hour/step))
	}
	slots := m.Seasons * p
	if !s.Calendar() {
		slots += int((time.Hour + step - 1) / step)
	}
	if m.resolveLevel(wg) != LevelNone {
		// the growth of the oldest slot: its block and the window before it,
		// of pairs a season apart
		slots = max(slots, (m.Seasons-1)*p+block-1+wg+p)
	}
	return time.Duration(back+slots) * step
}

// Detect judges s.Values[from:] against their seasonal baselines. It returns
// an error wrapping ErrNotEnoughData when even the last bucket has fewer
// than the needed past seasons behind it.
func (m Seasonal) Detect(s Series, from int) ([]Point, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	r, err := m.plan(s, from)
	if err != nil {
		return nil, err
	}
	pts := make([]Point, len(s.Values)-from)
	r.judge(s, from, m.Guards, pts)
	r.release()
	return pts, nil
}

// plan checks the series against m and prepares the per-call state.
func (m Seasonal) plan(s Series, from int) (*seasonalRun, error) {
	n := len(s.Values)
	switch {
	case s.Step <= 0:
		return nil, fmt.Errorf("seasonal: step must be positive, got %s", s.Step)
	case m.Period%s.Step != 0:
		return nil, fmt.Errorf("seasonal: step %s does not divide the %s period", s.Step, m.Period)
	case s.Weight != nil && len(s.Weight) != n:
		return nil, fmt.Errorf("seasonal: %d weights for %d values", len(s.Weight), n)
	case from < 0 || from > n:
		return nil, fmt.Errorf("seasonal: from %d outside the series of %d buckets", from, n)
	case m.Daily > 0 && (s.Calendar() && s.Step != 24*time.Hour || 24*time.Hour%s.Step != 0):
		return nil, fmt.Errorf("seasonal: daily correction needs a step that divides a day, got %s", s.Step)
	}
	p := int(m.Period / s.Step)
	if (n-1)/p < m.need() {
		return nil, fmt.Errorf("seasonal: %d buckets of %s hold %d past seasons of %s before the last one, need %d: %w",
			n, s.Step, (n-1)/p, m.Period, m.need(), ErrNotEnoughData)
	}
	return newSeasonalRun(m, s, from, p), nil
}

// judge fills pts with the verdicts on s.Values[from:].
func (r *seasonalRun) judge(s Series, from int, g Guards, pts []Point) {
	t, calendar := s.Time(from), s.Calendar()
	for i := from; i < len(s.Values); i++ {
		p := &pts[i-from]
		p.Index, p.Value = i, s.Values[i]
		if calendar {
			p.Time = s.Time(i)
		} else {
			p.Time = t
			t = t.Add(s.Step)
		}
		r.res.at(i)
		expected, scale, ok := r.baseline(i)
		r.res.slide(i)
		if !ok {
			p.Expected, p.Lower, p.Upper = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		// The volume matters only to the minimum-volume guard; without it,
		// its comparison of the value with expected, a branch that random
		// data mispredicts half the time, is left out.
		var volume float64
		if g.MinVolume > 0 {
			volume = Volume(s, i, expected)
		}
		g.JudgeScale(p, expected, scale, volume)
	}
}
