package detector

import (
	"math"
	"time"

	"vigil/internal/humanize"
)

// cusumRun is one pass of CUSUM over a series.
type cusumRun struct {
	c      CUSUM
	set    cusumSettings
	s      Series
	from   int
	points bool
	pts    []Point
	cps    []ChangePoint
	th     float64 // the rule's z threshold, for the drawn band
	phase  int     // (phase + t) % refresh == 0 at epoch-aligned refreshes

	base    cusumBaseline
	profile []float64 // reference per slot
	sigma   float64
	ready   bool // a baseline has been learnt
	lastEnd int  // end (exclusive) of the last baseline
	floor   int  // baselines read only buckets from here on

	// After an alarm, until a baseline can be learnt from data since the
	// change point, the reference is the one in force at the alarm (held)
	// plus offset, the median of value − held reference since the change.
	relearn bool
	held    []float64
	offsets freshnessWindow
	offset  float64
	// The statistics stay at zero after an alarm at alarmAt until
	// quietUntil, as many buckets as the alarm's run took, while the new
	// level is measured from buckets after the alarm alone: the alarm's
	// own run overstates the shift, since it was picked for being extreme.
	alarmAt, quietUntil int

	pos, neg cusumSide
}

// cusumSide is one side of the two-sided CUSUM.
type cusumSide struct {
	s     float64 // the statistic
	start int     // bucket where s last left zero; -1 while s is zero
	sum   float64 // sum of value − reference since start
	ref   float64 // sum of the reference since start
	n     int     // buckets summed
}

func (sd *cusumSide) reset() { *sd = cusumSide{start: -1} }

// add feeds the side a residual r (in sigmas, oriented so that a shift
// towards this side is positive) and the raw deviation dev.
func (sd *cusumSide) add(t int, r, k, dev, ref float64) {
	sd.s = math.Max(0, sd.s+r-k)
	if sd.s == 0 {
		sd.reset()
		return
	}
	if sd.start < 0 {
		sd.start = t
	}
	sd.sum += dev
	sd.ref += ref
	sd.n++
}

func newCUSUMRun(c CUSUM, set cusumSettings, s Series, from int, points bool) *cusumRun {
	r := &cusumRun{c: c, set: set, s: s, from: from, points: points, th: c.threshold(),
		phase: cusumPhase(s, set.refresh), profile: make([]float64, set.p), held: make([]float64, set.p)}
	r.base = newCUSUMBaseline(s.Values, set)
	r.pos.reset()
	r.neg.reset()
	r.quietUntil = -1
	if points {
		r.pts = make([]Point, 0, s.Len()-from)
	}
	return r
}

// cusumPhase returns the bucket number of the series' first bucket since
// the Unix epoch, modulo every: calendar days in the series' zone for
// whole-day steps, multiples of the step in UTC otherwise.
func cusumPhase(s Series, every int) int {
	var n int64
	if s.Calendar() {
		y, m, d := s.Start.In(s.Location()).Date()
		days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
		n = cusumFloorDiv(days, int64(s.Step/(24*time.Hour)))
	} else {
		n = cusumFloorDiv(int64(s.Start.Sub(time.Unix(0, 0))), int64(s.Step))
	}
	return int(((n % int64(every)) + int64(every)) % int64(every))
}

func cusumFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// step advances the run over bucket t and records its verdict.
func (r *cusumRun) step(t int) {
	r.maybeRefresh(t)
	x := r.s.Values[t]
	ref := r.reference(t)
	var alarm *cusumSide
	if thresholdFinite(x) && !math.IsNaN(ref) && t > r.quietUntil {
		alarm = r.update(t, x, ref)
	}
	if t >= r.from {
		r.judge(t, x, ref, alarm)
	}
	switch {
	case alarm != nil:
		r.restart(alarm, t)
	case r.relearn:
		r.relearnStep(t, x)
	}
}

// relearnStep adds bucket t to the estimate of the new level; at the end
// of the quiet spell the estimate restarts from the buckets after the
// alarm alone.
func (r *cusumRun) relearnStep(t int, x float64) {
	if thresholdFinite(x) {
		r.offsets.add(x - r.held[t%r.set.p])
	}
	if t == r.quietUntil {
		var after freshnessWindow
		for j := r.alarmAt + 1; j <= t; j++ {
			if y := r.s.Values[j]; thresholdFinite(y) {
				after.add(y - r.held[j%r.set.p])
			}
		}
		if len(after.sorted) > 0 {
			r.offsets = after
		}
	}
	r.offset = r.offsets.median()
}

// reference returns the reference for bucket t, NaN before the first
// baseline.
func (r *cusumRun) reference(t int) float64 {
	switch {
	case !r.ready:
		return math.NaN()
	case r.relearn:
		return r.held[t%r.set.p] + r.offset
	}
	return r.profile[t%r.set.p]
}

// update feeds value x at reference ref to both sides and returns the side
// that raised an alarm, if any.
func (r *cusumRun) update(t int, x, ref float64) *cusumSide {
	dev := x - ref
	z := cusumStandardise(dev, r.sigma, r.set.clip)
	r.pos.add(t, z, r.set.k, dev, ref)
	r.neg.add(t, -z, r.set.k, dev, ref)
	switch {
	case r.pos.s > r.set.h && r.pos.s >= r.neg.s:
		return &r.pos
	case r.neg.s > r.set.h:
		return &r.neg
	}
	return nil
}

// cusumStandardise returns dev/sigma clipped to ±clip. A zero sigma, or a
// deviation that overflowed, makes any deviation a full clip.
func cusumStandardise(dev, sigma, clip float64) float64 {
	if sigma == 0 || math.IsInf(dev, 0) {
		switch {
		case dev > 0:
			return clip
		case dev < 0:
			return -clip
		}
		return 0
	}
	return math.Max(-clip, math.Min(clip, dev/sigma))
}

// judge records the verdict on bucket t.
func (r *cusumRun) judge(t int, x, ref float64, alarm *cusumSide) {
	p := Point{Index: t, Value: x, Expected: ref}
	if r.points {
		p.Time = r.s.Time(t)
	}
	p.Lower, p.Upper = ref-r.th*r.sigma, ref+r.th*r.sigma
	if thresholdFinite(x) && !math.IsNaN(ref) {
		switch {
		case r.pos.s >= r.neg.s && r.pos.s > 0:
			p.Z = cusumZ(r.pos.s*r.set.zScale, r.set.k)
		case r.neg.s > 0:
			p.Z = -cusumZ(r.neg.s*r.set.zScale, r.set.k)
		}
		p.Score = Score(p.Z)
	}
	if alarm != nil {
		cp := r.changePoint(t, alarm)
		p.Direction = Up
		if alarm == &r.neg {
			p.Direction = Down
		}
		if r.report(p, cp) {
			p.Anomaly = true
			p.Reason = cusumReason(r.s, cp)
			r.cps = append(r.cps, cp)
		}
	}
	if r.points {
		r.pts = append(r.pts, p)
	}
}

func (r *cusumRun) changePoint(t int, sd *cusumSide) ChangePoint {
	return ChangePoint{Index: t, Start: sd.start, Time: r.s.Time(t), StartTime: r.s.Time(sd.start),
		Shift: sd.sum / float64(sd.n), Expected: sd.ref / float64(sd.n)}
}

// report applies the guards to an alarm.
func (r *cusumRun) report(p Point, cp ChangePoint) bool {
	g := r.c.Guards
	want := g.Direction
	if want == None {
		want = Both
	}
	delta := math.Abs(cp.Shift)
	switch {
	case !want.Allows(p.Direction):
		return false
	case delta < g.MinDelta:
		return false
	case g.MinRelDelta > 0 && cp.Expected != 0 && delta/math.Abs(cp.Expected) < g.MinRelDelta:
		return false
	case g.MinVolume > 0 && !(Volume(r.s, p.Index, p.Expected) >= g.MinVolume):
		return false
	}
	return true
}

// restart follows an alarm at bucket t: both statistics start afresh,
// the reference in force is held and re-centred on the median residual
// since the change point, and later baselines begin at the change point.
func (r *cusumRun) restart(sd *cusumSide, t int) {
	start := sd.start
	for q := range r.held {
		if r.relearn {
			r.held[q] += r.offset
		} else {
			r.held[q] = r.profile[q]
		}
	}
	r.relearn, r.floor = true, start
	r.alarmAt, r.quietUntil = t, t+(t-start+1)
	r.offsets.reset(nil)
	for j := start; j <= t; j++ {
		if x := r.s.Values[j]; thresholdFinite(x) {
			r.offsets.add(x - r.held[j%r.set.p])
		}
	}
	r.offset = r.offsets.median()
	r.pos.reset()
	r.neg.reset()
}

// maybeRefresh learns a new baseline when one is due: at every bucket
// until the first baseline, then at epoch-aligned buckets. The baseline
// ends before bucket t and before any excursion under way.
func (r *cusumRun) maybeRefresh(t int) {
	if r.ready && (r.phase+t)%r.set.refresh != 0 {
		return
	}
	end := t
	if r.pos.start >= 0 {
		end = min(end, r.pos.start)
	}
	if r.neg.start >= 0 {
		end = min(end, r.neg.start)
	}
	if r.ready && end <= r.lastEnd {
		return
	}
	if r.relearn {
		for q := range r.profile { // slots the new baseline lacks keep the re-centred reference
			r.profile[q] = r.held[q] + r.offset
		}
	}
	if r.base.learn(end, r.floor, r.ready, r.profile, &r.sigma) {
		r.ready, r.lastEnd, r.relearn = true, end, false
	}
}

func cusumPercent(f float64) string { return humanize.Percent(math.Abs(f)) }
func cusumNumber(x float64) string  { return humanize.Number(x) }
