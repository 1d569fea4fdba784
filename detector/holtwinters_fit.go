package detector

import "math"

// hwModel is one Holt-Winters model: its smoothing parameters and form.
type hwModel struct {
	period int  // buckets per season; < 2 means no season
	mult   bool // multiplicative season and errors
	alpha  float64
	beta   float64
	gamma  float64
}

func (m hwModel) seasonal() bool { return m.period >= 2 }

// hwState is the recursion's state: level, trend per bucket, and one
// seasonal index per slot (additive offsets or multiplicative factors).
type hwState struct {
	level, trend float64
	season       []float64
	slot         int // slot of the next bucket
	gap          int // buckets since the last update
	run          int // consecutive same-side clipped errors, signed
}

// forecast returns the one-step forecast for the next bucket.
func (m hwModel) forecast(st *hwState) float64 {
	l := st.level + st.trend
	switch {
	case !m.seasonal():
		return l
	case m.mult:
		return l * st.season[st.slot]
	}
	return l + st.season[st.slot]
}

// hwClip is the Huber clip, in noise scales, of the observations that
// update the state: a single wild point then moves the state no more than a
// point 3 scales off would. After hwShiftRun clipped points in a row on one
// side the clip is lifted so that a level shift is learnt.
const (
	hwClip     = 3.0
	hwShiftRun = 3
)

// update moves the state past one bucket with value y (NaN skips it: the
// forecast carries on) and returns the forecast it made for y. clip > 0
// limits |y − forecast| to clip (for multiplicative models, relative to the
// forecast).
func (m hwModel) update(st *hwState, y, clip float64) float64 {
	next := st.slot + 1
	if next >= m.period {
		next = 0
	}
	f := m.forecast(st)
	if math.IsNaN(y) || math.IsInf(y, 0) {
		st.level += st.trend
		st.slot, st.gap = next, st.gap+1
		return f
	}
	if clip > 0 {
		y, st.run = hwClean(y, f, clip, m.mult, st.run)
	}
	s := 0.0
	if m.seasonal() {
		s = st.season[st.slot]
	}
	prev := st.level
	if m.mult {
		if s <= 0 {
			s = 1
		}
		st.level = m.alpha*y/s + (1-m.alpha)*(prev+st.trend)
		if st.level <= 0 {
			st.level = math.SmallestNonzeroFloat64
		}
	} else {
		st.level = m.alpha*(y-s) + (1-m.alpha)*(prev+st.trend)
	}
	st.trend = m.beta*(st.level-prev) + (1-m.beta)*st.trend
	if m.seasonal() {
		if m.mult {
			st.season[st.slot] = m.gamma*y/st.level + (1-m.gamma)*s
		} else {
			st.season[st.slot] = m.gamma*(y-st.level) + (1-m.gamma)*s
		}
	}
	st.slot, st.gap = next, 0
	return f
}

// hwInit starts the recursion from the window's first two seasons (the
// first few points without a season): level the first season's mean, trend
// the change of the mean per bucket, seasonal indexes the average deviation
// of each slot from its season's mean. ok is false without enough observed
// points.
func (m hwModel) init(v []float64) (st hwState, ok bool) {
	np := max(m.period, 1)
	if !m.seasonal() {
		np = hwFlatInit
	}
	m1, ok1 := hwMean(v[:np])
	m2, ok2 := hwMean(v[np : 2*np])
	if !ok1 || !ok2 {
		return st, false
	}
	st.level, st.trend = m1, (m2-m1)/float64(np)
	if !m.seasonal() {
		return st, true
	}
	st.season = make([]float64, np)
	for j := range np {
		var sum float64
		var cnt int
		for k, mean := range [2]float64{m1, m2} {
			y := v[j+k*np]
			if math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			if m.mult {
				sum += y / mean
			} else {
				sum += y - mean
			}
			cnt++
		}
		switch {
		case cnt > 0:
			st.season[j] = sum / float64(cnt)
		case m.mult:
			st.season[j] = 1
		}
	}
	return st, true
}

func hwMean(v []float64) (float64, bool) {
	var s float64
	var n int
	for _, y := range v {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			s += y
			n++
		}
	}
	return s / float64(n), n > 0
}

// hwFlatInit is the number of points whose mean starts the level of a
// model without a season (and, with the next as many, its trend).
const hwFlatInit = 5

// burn is the number of leading window buckets whose one-step errors do
// not count: those the initial state was estimated from.
func (m hwModel) burn() int {
	if m.seasonal() {
		return 2 * m.period
	}
	return 2 * hwFlatInit
}

// hwLogistic maps the real line into (lo, hi); hwLogit is its inverse.
const hwLo, hwHi = 1e-4, 1 - 1e-4

func hwLogistic(x float64) float64 { return hwLo + (hwHi-hwLo)/(1+math.Exp(-x)) }
func hwLogit(p float64) float64    { return -math.Log((hwHi-hwLo)/(p-hwLo) - 1) }

// fit chooses the parameters left at zero in m by minimising the one-step
// squared error over v with Nelder-Mead, each parameter mapped into (0,1)
// by a logistic transform.
func (m hwModel) fit(v []float64, start hwState, clip float64) hwModel {
	free := m.freeParams()
	if len(free) == 0 {
		return m
	}
	guess := map[string]float64{"alpha": 0.3, "beta": 0.05, "gamma": 0.1}
	x0 := make([]float64, len(free))
	for i, name := range free {
		x0[i] = hwLogit(guess[name])
	}
	set := func(x []float64) hwModel {
		c := m
		for i, name := range free {
			c.setParam(name, hwLogistic(x[i]))
		}
		return c
	}
	season := make([]float64, len(start.season))
	nm := hwSimplex{size: 1, rel: 1e-3, iters: 2 * len(free), maxEval: 25 * (len(free) + 1)}
	x := nm.minimize(func(x []float64) float64 {
		sum, n := set(x).sse(v, start, clip, nil, season)
		if n == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
			return math.MaxFloat64
		}
		return sum / float64(n)
	}, x0)
	return set(x)
}

func (m hwModel) freeParams() []string {
	var free []string
	if m.alpha == 0 {
		free = append(free, "alpha")
	}
	if m.beta == 0 {
		free = append(free, "beta")
	}
	if m.gamma == 0 && m.seasonal() {
		free = append(free, "gamma")
	}
	return free
}

func (m *hwModel) setParam(name string, v float64) {
	switch name {
	case "alpha":
		m.alpha = v
	case "beta":
		m.beta = v
	case "gamma":
		m.gamma = v
	}
}

// stepVar is the variance of an h-step forecast in units of the one-step
// variance (Hyndman et al. 2008, class 1 additive models): 1 + Σ_{j<h}
// (α(1+jβ) + γ·[j is a whole number of seasons])².
func (m hwModel) stepVar(h int) float64 {
	v := 1.0
	for j := 1; j < h; j++ {
		c := m.alpha * (1 + float64(j)*m.beta)
		if m.seasonal() && j%m.period == 0 {
			c += m.gamma
		}
		v += c * c
	}
	return v
}
