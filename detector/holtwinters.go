package detector

import (
	"errors"
	"fmt"
	"math"
)

// ErrNonPositive reports that a multiplicative Holt-Winters model met a
// value that is zero or negative, which a multiplicative season cannot
// describe. Use the additive model for such series.
var ErrNonPositive = errors.New("multiplicative holt-winters needs positive values")

// HoltWinters judges each point against the one-step forecast of
// exponential smoothing with a level, a trend and (when Period ≥ 2) an
// additive or multiplicative season (Holt 1957, Winters 1960).
//
// Points are judged in blocks of Refit buckets (shorter while the history
// is shorter than Window). For each block the parameters left at zero are
// fitted on the Window buckets before it by minimising the one-step squared error (Nelder-Mead
// over logistic-transformed parameters); the recursion then starts afresh
// from that window's first two seasons and runs through the block, so each
// forecast uses only the points before it and a verdict never changes when
// later points are added or removed. Updates are Huber-clipped at three
// noise scales so that an outlier barely moves the state, unless three
// points in a row fall on one side, which is taken as a level shift.
//
// The band's scale is the robust spread (1.4826·median absolute value) of
// the window's one-step errors, widened for forecasts across gaps. A
// multiplicative model has multiplicative errors: its scale is relative to
// the forecast, and it returns an error wrapping ErrNonPositive when a
// window it fits has a value ≤ 0. Gaps (NaN) skip the update; they are never
// judged.
type HoltWinters struct {
	Period         int  // buckets per season; 0 or 1 means no season (Holt's linear trend)
	Multiplicative bool // multiplicative season; needs positive data
	// Alpha, Beta and Gamma are the smoothing parameters of the level, trend
	// and season, each in (0,1); 0 means fitted.
	Alpha, Beta, Gamma float64
	// Window is the number of buckets each fit uses; 0 means eight seasons
	// or 200 buckets, whichever is more. It needs three seasons (20 buckets
	// without a season).
	Window int
	// Refit is the number of buckets between fits once a full window is
	// available; 0 means Window.
	Refit int
	Guards
}

// NewHoltWinters validates c and returns it with its defaults filled in.
func NewHoltWinters(c HoltWinters) (HoltWinters, error) {
	if c.Period < 0 {
		return c, fmt.Errorf("holt-winters: period must not be negative, got %d", c.Period)
	}
	if c.Period == 1 {
		c.Period = 0
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"alpha", c.Alpha}, {"beta", c.Beta}, {"gamma", c.Gamma}} {
		if p.v < 0 || p.v >= 1 || math.IsNaN(p.v) {
			return c, fmt.Errorf("holt-winters: %s must be in (0,1), or 0 to fit it; got %v", p.name, p.v)
		}
	}
	minWindow := max(3*c.Period, 4*hwFlatInit)
	if c.Window == 0 {
		c.Window = max(8*c.Period, 200)
	}
	if c.Window < minWindow {
		return c, fmt.Errorf("holt-winters: window must be at least %d buckets (three seasons), got %d", minWindow, c.Window)
	}
	if c.Refit == 0 {
		c.Refit = c.Window
	}
	if c.Refit < 1 {
		return c, fmt.Errorf("holt-winters: refit must be at least 1 bucket, got %d", c.Refit)
	}
	if err := thresholdCheckGuards("holt-winters", c.Guards); err != nil {
		return c, err
	}
	return c, nil
}

func (c HoltWinters) model() hwModel {
	return hwModel{period: c.Period, mult: c.Multiplicative, alpha: c.Alpha, beta: c.Beta, gamma: c.Gamma}
}

// Detect judges s.Values[from:], each point from the points before it only.
func (c HoltWinters) Detect(s Series, from int) ([]Point, error) {
	c, err := NewHoltWinters(c)
	if err != nil {
		return nil, err
	}
	pts, err := stlXStart(s, from)
	if err != nil || len(pts) == 0 {
		return pts, err
	}
	minWindow := max(3*c.Period, 4*hwFlatInit)
	judged := false
	for i := from; i < len(s.Values); {
		start, end := c.block(i)
		end = min(end, len(s.Values))
		a := max(0, start-c.Window)
		b, err := c.fitBlock(s.Values[a:start], minWindow)
		if err != nil {
			return nil, fmt.Errorf("holt-winters: window %d..%d: %w", a, start-1, err)
		}
		for t := start; t < end; t++ {
			if b.ok && t >= from {
				b.judge(c.Guards, s, t, &pts[t-from])
				judged = true
			}
			if b.ok {
				b.model.update(&b.state, s.Values[t], b.clip)
			}
		}
		i = end
	}
	if !judged {
		return pts, fmt.Errorf("holt-winters: need %d buckets of history, half of them observed: %w", minWindow, ErrNotEnoughData)
	}
	return pts, nil
}

// block returns the block of bucket i. Blocks after the first Window
// buckets are Refit long; before, while the history is shorter than a
// window, they are a season (20 buckets without a season) long so that
// judging starts as soon as there are three seasons.
func (c HoltWinters) block(i int) (start, end int) {
	if i >= c.Window {
		start = c.Window + (i-c.Window)/c.Refit*c.Refit
		return start, start + c.Refit
	}
	e := max(c.Period, 4*hwFlatInit)
	start = i / e * e
	return start, min(start+e, c.Window)
}

// hwBlock is a fitted model with its state at the start of a block.
type hwBlock struct {
	ok    bool
	model hwModel
	state hwState
	sigma float64 // one-step noise scale (relative when multiplicative)
	clip  float64
}

// fitBlock fits the model on window v and runs it to v's end.
func (c HoltWinters) fitBlock(v []float64, minLen int) (hwBlock, error) {
	var b hwBlock
	if len(v) < minLen || !hwObservedHalf(v) {
		return b, nil
	}
	m := c.model()
	if m.mult {
		for i, y := range v {
			if y <= 0 {
				return b, fmt.Errorf("value %v at bucket %d of the window: %w", y, i, ErrNonPositive)
			}
		}
	}
	st0, ok := m.init(v)
	if !ok {
		return b, nil
	}
	clip := hwClip * hwPrelimScale(v, m)
	m = m.fit(v, st0, clip)
	var errs []float64
	m.sse(v, st0, clip, &errs, nil)
	if len(errs) == 0 {
		return b, nil
	}
	level, _ := hwMean(v)
	floor := stlScaleFloor
	if !m.mult {
		floor *= math.Abs(level)
	}
	b.sigma = max(1.4826*stlMedianInPlace(errs), floor)
	b.model, b.clip, b.ok = m, hwClip*b.sigma, true
	b.state = st0
	if m.seasonal() {
		b.state.season = append([]float64(nil), st0.season...)
	}
	for _, y := range v {
		m.update(&b.state, y, b.clip)
	}
	return b, nil
}

// judge fills p from the block's forecast for bucket t.
func (b *hwBlock) judge(g Guards, s Series, t int, p *Point) {
	f := b.model.forecast(&b.state)
	scale := b.sigma * math.Sqrt(b.model.stepVar(b.state.gap+1))
	if b.model.mult {
		scale *= math.Abs(f)
	}
	g.JudgeScale(p, f, scale, Volume(s, t, f))
}

// hwPrelimScale is a robust noise scale before any fit, used to clip
// outliers while fitting: the spread of season-over-season changes (of
// bucket-to-bucket changes without a season) divided by √2.
func hwPrelimScale(v []float64, m hwModel) float64 {
	lag := max(m.period, 1)
	d := make([]float64, 0, len(v))
	for i := lag; i < len(v); i++ {
		x := v[i] - v[i-lag]
		if m.mult {
			x = v[i]/v[i-lag] - 1
		}
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			d = append(d, math.Abs(x))
		}
	}
	if len(d) == 0 {
		return 0
	}
	return 1.4826 * stlMedianInPlace(d) / math.Sqrt2
}

func hwObservedHalf(v []float64) bool {
	n := 0
	for _, y := range v {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			n++
		}
	}
	return 2*n >= len(v)
}
