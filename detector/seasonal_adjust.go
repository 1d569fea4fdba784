package detector

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// LevelAdjust says whether and how Seasonal moves past slots onto the
// metric's current level before taking their median.
type LevelAdjust uint8

// Level adjustments. Before its median is taken, the past slot s seasons
// back is moved by how much the metric has grown since: the growth over one
// season is the median, over the season of buckets before a bucket, of each
// value's ratio to (or difference from) the same slot a season earlier, and
// the growth over s seasons chains s of them. Matching each bucket with its
// own slot cancels the daily and weekly shape, so the median is tight and a
// day-long incident inside the season barely moves it. A metric that grows
// steadily is then compared with where it is now, not where it was weeks
// ago, and the spread no longer counts the growth as noise. The growth is
// measured over a whole season, so it also follows, after half a season, a
// step that persists: a rule that must keep firing through a long outage
// should leave it off.
const (
	LevelNone  LevelAdjust = iota // compare with past slots as they were
	LevelShift                    // add the growth difference, for metrics that grow by a fixed amount
	LevelScale                    // multiply by the growth ratio, for metrics that grow by a rate; needs positive values
)

// String returns "none", "shift" or "scale".
func (l LevelAdjust) String() string {
	switch l {
	case LevelShift:
		return "shift"
	case LevelScale:
		return "scale"
	}
	return "none"
}

// seasonalMaxDaily bounds Seasonal.Daily below a week, so that the recent
// days never include the slot a week back, which the weekly median already
// uses.
const seasonalMaxDaily = 6

func (m Seasonal) checkOptions() []error {
	var errs []error
	if m.Level > LevelScale {
		errs = append(errs, fmt.Errorf("seasonal: unknown level adjustment %d", m.Level))
	}
	if m.Daily < 0 || m.Daily > seasonalMaxDaily {
		errs = append(errs, fmt.Errorf("seasonal: daily must be between 0 and %d days, got %d", seasonalMaxDaily, m.Daily))
	}
	if m.Daily > 0 && m.Period != 7*24*time.Hour {
		errs = append(errs, fmt.Errorf("seasonal: daily correction needs a weekly period, got %s", m.Period))
	}
	return errs
}

// seasonalGrowth returns, for each bucket j in [lo, hi), the growth of the
// metric over one season of p buckets: the median over u in [j-h-p, j-h) of
// vals[u]/vals[u-p] (scale) or vals[u]-vals[u-p] (shift), skipping missing
// values and, for ratios, non-positive bases. It is NaN when fewer than half
// of the p pairs exist. The window ends h buckets early so that the
// neighbours pooled for bucket i (up to i+h) never see i. A sorted window
// slides along, one removal and one insertion per bucket.
func seasonalGrowth(vals []float64, scale bool, p, h, lo, hi int) []float64 {
	pair := func(u int) (float64, bool) {
		if u-p < 0 || u >= len(vals) {
			return 0, false
		}
		a, b := vals[u], vals[u-p]
		if scale {
			q := a / b
			return q, q-q == 0 && a >= 0 && b > 0 // finite, so a and b were too
		}
		d := a - b
		return d, d-d == 0
	}
	g := make([]float64, hi-lo)
	win := make([]float64, 0, p)
	for u := lo - h - p; u < lo-h; u++ {
		if v, ok := pair(u); ok {
			win = append(win, v)
		}
	}
	slices.Sort(win)
	for j := lo; j < hi; j++ {
		g[j-lo] = math.NaN()
		if c := len(win); 2*c >= p {
			g[j-lo] = seasonalMid(win[(c-1)/2], win[c/2])
		}
		out, okOut := pair(j - h - p)
		in, okIn := pair(j - h)
		win = seasonalSlide(win, out, okOut, in, okIn)
	}
	return g
}

// seasonalSlide removes out from and inserts in into sorted win, each only
// when its flag is set. When both are set it shifts only the values between
// their positions, in one pass.
func seasonalSlide(win []float64, out float64, okOut bool, in float64, okIn bool) []float64 {
	switch {
	case okOut && okIn:
		r, a := seasonalSearch(win, out), seasonalSearch(win, in)
		if a > r { // in lands above out: shift (r, a) down
			copy(win[r:a-1], win[r+1:a])
			win[a-1] = in
		} else { // shift [a, r) up
			copy(win[a+1:r+1], win[a:r])
			win[a] = in
		}
		return win
	case okOut:
		return slices.Delete(win, seasonalSearch(win, out), seasonalSearch(win, out)+1)
	case okIn:
		return slices.Insert(win, seasonalSearch(win, in), in)
	}
	return win
}

// growthAt is the growth over the season before bucket j, NaN when unknown.
func (r *seasonalRun) growthAt(j int) float64 {
	if j < r.gLo {
		return math.NaN()
	}
	return r.growth[j-r.gLo]
}

// adjust moves v, a past slot of bucket j, onto j's level, given the growth
// g since that slot's season; ok is false when g is unknown or the result
// overflows.
func (r *seasonalRun) adjust(v, g float64) (float64, bool) {
	if r.level == LevelScale {
		v *= g
	} else {
		v += g
	}
	return v, v-v == 0
}

// recent returns the median of the residuals of the same local time on the
// last r.daily days against their own weekly baselines, and how many there
// were; c is 0 when fewer than half of the days have one. This is the second
// stage of a daily and weekly baseline: the weekly median gives the shape of
// the week, and the recent days say how far the metric currently runs above
// or below that shape at this time of day.
func (r *seasonalRun) recent(i int) (corr float64, c int) {
	var res [seasonalMaxDaily]float64
	for d := 1; d <= r.daily; d++ {
		t := i - d*r.pd
		if r.zone != nil && t >= 0 {
			t = r.zone.slot(i, t)
		}
		if t < r.lo {
			continue
		}
		st, v := r.st[t-r.lo], r.vals[t]
		if st.k < r.need || v-v != 0 {
			continue
		}
		x := c
		for ; x > 0 && res[x-1] > v-st.med; x-- {
			res[x] = res[x-1]
		}
		res[x] = v - st.med
		c++
	}
	if 2*c < r.daily {
		return 0, 0
	}
	return seasonalMid(res[(c-1)/2], res[c/2]), c
}

// seasonalSearch returns the first index of sorted w whose value is not
// below v. It compares with < only: w holds no NaN, and slices.BinarySearch's
// NaN-aware comparison doubled the cost of seasonalGrowth.
func seasonalSearch(w []float64, v float64) int {
	base, n := 0, len(w)
	for n > 1 { // branch-free halving: the compare only picks the base
		half := n / 2
		if w[base+half-1] < v {
			base += half
		}
		n -= half
	}
	if n == 1 && w[base] < v {
		base++
	}
	return base
}
