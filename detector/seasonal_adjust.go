package detector

import (
	"fmt"
	"math"
	"time"
)

// LevelAdjust says whether and how Seasonal moves past slots onto the
// metric's current level before taking their median.
type LevelAdjust uint8

// Level adjustments. Before its median is taken, the past slot s seasons
// back is moved by how much the metric has grown since: the growth over one
// season is the median, over the week (or season, if longer) before a
// bucket's day, of each value's ratio to (or difference from) the same slot
// a season earlier, and the growth over s seasons chains s of them.
// Matching each bucket with its own slot cancels the daily and weekly shape,
// so the median is tight and a day-long incident barely moves it. A metric
// that grows steadily is then compared with where it is now, not where it
// was weeks ago, and its prediction error no longer counts the growth. The
// growth is measured over a week, so it also follows, after about half a
// week, a step that persists: a rule that must keep firing through a long
// outage should turn it off with LevelNone.
const (
	// LevelAuto, the default, scales by the growth ratio where the week it
	// is measured on holds no negative value, and otherwise repeats the last
	// growth known (none at all on data that is never positive, which is
	// then compared as it is). It is LevelNone with the daily correction and
	// on data with fewer than 168 buckets a week (see resolveLevel).
	LevelAuto  LevelAdjust = iota
	LevelNone              // compare with past slots as they were
	LevelShift             // add the growth difference, for metrics that grow by a fixed amount
	LevelScale             // multiply by the growth ratio, for metrics that grow by a rate; needs positive values
)

// String returns "auto", "none", "shift" or "scale".
func (l LevelAdjust) String() string {
	switch l {
	case LevelNone:
		return "none"
	case LevelShift:
		return "shift"
	case LevelScale:
		return "scale"
	}
	return "auto"
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

// seasonalGrowthWindow is the number of buckets over which the growth of one
// season is measured: a season, and at least a week, so that with a daily
// period the weekly pattern cancels out of the growth instead of being taken
// for one (Monday's growth over Sunday is not a trend).
func seasonalGrowthWindow(s Series, p int) int {
	week := 7
	if !s.Calendar() {
		week = int(7 * 24 * time.Hour / s.Step)
	}
	return max(p, week)
}

// seasonalAutoPairs is the fewest pairs a growth window must hold for
// LevelAuto to adjust: the median of n ratios has a standard error of about
// 1.25·√2·σ/√n for noise σ, a seventh of σ at 168 (a week of hourly data),
// and chained over eight seasons it stays well below the noise. Daily data
// gives 7 pairs a week, whose growth is as noisy as a value; chained it
// would add more error than most trends remove, so there auto is none.
const seasonalAutoPairs = 168

// resolveLevel returns the level adjustment used on s: LevelAuto becomes
// LevelNone where the growth cannot be measured precisely (see
// seasonalAutoPairs) and where the daily correction, which follows the
// level itself, is on.
func (m Seasonal) resolveLevel(wg int) LevelAdjust {
	if m.Level == LevelAuto && (m.Daily > 0 || wg < seasonalAutoPairs) {
		return LevelNone
	}
	return m.Level
}

// seasonalPhase returns the offset, 0 <= off < block, such that bucket j of
// s starts a block of block buckets when (j+off)%block == 0: blocks aligned
// to the Unix epoch for sub-day steps, to 1 January 1970 in the series'
// calendar for whole days.
func seasonalPhase(s Series, block int) int {
	var k int64 // buckets from the epoch to s.Start
	if s.Calendar() {
		y, m, d := s.Start.In(s.Location()).Date()
		k = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	} else {
		k = seasonalFloorDiv(s.Start.UnixNano(), int64(s.Step))
	}
	b := int64(block)
	return int((k%b + b) % b)
}

// growthAt is the growth over one season before bucket j's block, NaN when
// unknown.
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
	if r.level == LevelShift {
		v += g
	} else {
		v *= g
	}
	return v, v-v == 0
}

// recent returns the correction of bucket i's weekly median med from the
// residuals of the same local time on the last r.daily days against their
// own weekly baselines, and how many there were; c is 0 when fewer than half
// of the days have one. This is the second stage of a daily and weekly
// baseline: the weekly median gives the shape of the week, and the recent
// days say how far the metric currently runs above or below that shape at
// this time of day. On positive data the residuals are ratios to their
// baselines and the correction is their median times med: noise grows with
// the level, and a weekday's residual in units would be too large for a
// quieter weekend. Otherwise the correction is the median residual.
func (r *seasonalRun) recent(i int, med float64) (corr float64, c int) {
	var res, rel [seasonalMaxDaily]float64
	positive := med > 0
	for d := 1; d <= r.daily; d++ {
		t := i - d*r.pd
		if r.zone != nil && t >= 0 {
			t = r.zone.slot(i, t)
		}
		if t < r.lo {
			continue
		}
		d, q := r.dRes[t-r.lo], r.dRel[t-r.lo]
		if d != d { // too few slots or no value
			continue
		}
		// q is NaN unless a finite ratio of positive values: rel is then
		// not used.
		positive = positive && q == q
		res[c], rel[c] = d, q
		c++
	}
	if 2*c < r.daily {
		return 0, 0
	}
	if corr := seasonalMedianIns(rel[:c]) * med; positive && corr-corr == 0 {
		return corr, c
	}
	return seasonalMedianIns(res[:c]), c
}

// seasonalMedianIns returns the median of x as inserting its values one by
// one with seasonalInsert and taking the middle would: for two and three
// values with selects on the bits, which compile to conditional moves where
// the branches of the insertion mispredict on random residuals. Ties (such
// as -0 and +0) stay in the order of x, as in the insertion.
func seasonalMedianIns(x []float64) float64 {
	switch len(x) {
	case 2:
		lo, hi := seasonalSorted2(x[0], x[1])
		return seasonalMid(math.Float64frombits(lo), math.Float64frombits(hi))
	case 3:
		// The insertion puts c after hi unless hi > c, and before lo when
		// also lo > c.
		lo, hi := seasonalSorted2(x[0], x[1])
		c := x[2]
		m := math.Float64bits(c)
		if math.Float64frombits(lo) > c {
			m = lo
		}
		if !(math.Float64frombits(hi) > c) {
			m = hi
		}
		return math.Float64frombits(m)
	}
	for k := 1; k < len(x); k++ {
		seasonalInsert(x[:k+1], x[k])
	}
	return seasonalMid(x[(len(x)-1)/2], x[len(x)/2])
}

// seasonalSorted2 returns the bits of a and b in the order seasonalInsert
// leaves them: b first only when a > b.
func seasonalSorted2(a, b float64) (lo, hi uint64) {
	lo, hi = math.Float64bits(a), math.Float64bits(b)
	if a > b {
		lo, hi = hi, lo
	}
	return lo, hi
}

// dailyResiduals sets dRes and dRel for the buckets from r.lo, which recent
// reads for each of the r.daily days after each: a bucket's residual v-med
// against its weekly median med, NaN when it has fewer than r.need slots or
// no value, and its ratio v/med-1, NaN unless both are positive and it is
// finite.
func (r *seasonalRun) dailyResiduals() {
	n := len(r.st)
	r.dRes, r.dRel = seasonalBuf(&r.buf.dRes, n), seasonalBuf(&r.buf.dRel, n)
	for x, st := range r.st {
		v := r.vals[r.lo+x]
		r.dRes[x], r.dRel[x] = math.NaN(), math.NaN()
		if st.k < r.need || v-v != 0 {
			continue
		}
		r.dRes[x] = v - st.med
		if q := v/st.med - 1; st.med > 0 && v >= 0 && q-q == 0 {
			r.dRel[x] = q
		}
	}
}

// seasonalInsert inserts v as the last element of x, whose other elements
// are sorted, keeping it sorted.
func seasonalInsert(x []float64, v float64) {
	k := len(x) - 1
	for ; k > 0 && x[k-1] > v; k-- {
		x[k] = x[k-1]
	}
	x[k] = v
}

// seasonalCount is 1 for true and 0 for false.
func seasonalCount(b bool) int {
	if b {
		return 1
	}
	return 0
}
