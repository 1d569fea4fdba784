package detector

import "math"

// sse runs the recursion over v and returns the sum of squared one-step
// errors after the burn-in (relative errors for multiplicative models) and
// their count. errs, when non-nil, receives the absolute errors. season is
// scratch for the seasonal indexes (nil allocates).
//
// It is update and clean written out with the state in local variables,
// because the fit runs it a hundred times per window; the arithmetic is
// the same, operation for operation, so the results are identical.
func (m hwModel) sse(v []float64, start hwState, clip float64, errs *[]float64, season []float64) (float64, int) {
	season = append(season[:0], start.season...)
	level, trend, slot, run := start.level, start.trend, start.slot, start.run
	alpha, beta, gamma := m.alpha, m.beta, m.gamma
	a1, b1, g1 := 1-alpha, 1-beta, 1-gamma
	seasonal, mult := m.seasonal(), m.mult
	burn := m.burn()
	var sum float64
	var n int
	for i, y := range v {
		next := slot + 1
		if next >= m.period {
			next = 0
		}
		l := level + trend
		f, s := l, 0.0
		if seasonal {
			s = season[slot]
			if mult {
				f = l * s
			} else {
				f = l + s
			}
		}
		if y-y != 0 { // NaN or ±Inf: no update
			level, slot = l, next
			continue
		}
		yc := y
		if clip > 0 {
			yc, run = hwClean(y, f, clip, mult, run)
		}
		prev := level
		if mult {
			if s <= 0 {
				s = 1
			}
			level = alpha*yc/s + a1*l
			if level <= 0 {
				level = math.SmallestNonzeroFloat64
			}
		} else {
			level = alpha*(yc-s) + a1*l
		}
		trend = beta*(level-prev) + b1*trend
		if seasonal {
			if mult {
				season[slot] = gamma*yc/level + g1*s
			} else {
				season[slot] = gamma*(yc-level) + g1*s
			}
		}
		slot = next
		if i >= burn {
			e := y - f
			if mult {
				e /= f
			}
			sum += e * e
			n++
			if errs != nil {
				*errs = append(*errs, math.Abs(e))
			}
		}
	}
	return sum, n
}

// hwClean applies the Huber clip to y around forecast f unless the clipped
// points form a run, counted in run (signed: the side of the clipped
// points), and returns the cleaned value and the new count.
func hwClean(y, f, clip float64, mult bool, run int) (float64, int) {
	c := clip
	if mult {
		c *= math.Abs(f)
	}
	switch {
	case y > f+c:
		run = max(run, 0) + 1
		if run < hwShiftRun {
			return f + c, run
		}
	case y < f-c:
		run = min(run, 0) - 1
		if -run < hwShiftRun {
			return f - c, run
		}
	default:
		run = 0
	}
	return y, run
}
