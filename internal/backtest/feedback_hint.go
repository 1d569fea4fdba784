package backtest

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"vigil/detector"
)

// Tuning is what a hint needs to know of a rule's settings.
type Tuning struct {
	// Threshold is the robust z beyond which the rule's method alerts, set
	// by sensitivity or threshold; 0 for a method whose band does not come
	// from one (threshold, change, freshness, cusum).
	Threshold float64
	// Explicit says the rule sets threshold, which overrides sensitivity.
	Explicit bool
}

// Hints words what the feedback says about a rule's sensitivity: the
// buckets marked not an anomaly that it would still alert on, with the
// settings that would silence all of them and how many of the confirmed
// anomalies it catches each would keep, and the confirmed anomalies it
// would not alert on. None when the feedback has neither.
func (f Feedback) Hints(t Tuning) []string {
	var out []string
	if n := len(f.StillAlert); n > 0 {
		s := fmt.Sprintf("%d of %s marked not an anomaly would still alert", n, count(f.NotAnomaly, "bucket", "buckets"))
		if far := reach(f.StillAlert); far != "" {
			s += ", " + far + " from expected"
		}
		if opts := f.silencers(t); len(opts) > 0 {
			s += "; try " + orList(opts)
		} else {
			s += "; no sensitivity, min_delta or min_rel_delta silences them all (the method gives no expected value): review the method's own settings"
		}
		out = append(out, s)
	}
	if missed := f.Confirmed - len(f.Caught); missed > 0 {
		out = append(out, fmt.Sprintf("%d of %s would not alert: the rule may now be too lenient for them",
			missed, count(f.Confirmed, "bucket confirmed as an anomaly", "buckets confirmed as anomalies")))
	}
	return out
}

// silencers returns each setting that would silence every false alarm,
// with what it keeps of the caught confirmed anomalies.
func (f Feedback) silencers(t Tuning) []string {
	var out []string
	add := func(setting string, keep func(p detector.Point) bool) {
		kept := 0
		for _, p := range f.Caught {
			if keep(p) {
				kept++
			}
		}
		switch {
		case len(f.Caught) == 0:
		case len(out) == 0:
			setting += fmt.Sprintf(" (keeps %d of the %s it alerts on)", kept, count(len(f.Caught), "confirmed bucket", "confirmed buckets"))
		default:
			setting += fmt.Sprintf(" (keeps %d of %d)", kept, len(f.Caught))
		}
		out = append(out, setting)
	}
	if z, ok := maxOf(f.StillAlert, absZ); ok && t.Threshold > 0 {
		// A point alerts beyond the threshold, so one at or above z silences.
		th := steps(z, 10, func(th float64) bool { return th >= z })
		setting := "threshold: " + strconv.FormatFloat(th, 'f', 1, 64)
		if !t.Explicit && z <= detector.ThresholdLow && t.Threshold < detector.ThresholdLow {
			setting, th = "sensitivity: low", detector.ThresholdLow
		}
		add(setting, func(p detector.Point) bool { return absZ(p) > th })
	}
	if r, ok := maxOf(f.StillAlert, relDelta); ok {
		// min_rel_delta silences a change below it: the next whole percent.
		m := steps(r, 100, func(m float64) bool { return m > r })
		add(fmt.Sprintf("min_rel_delta: %.0f%%", m*100), func(p detector.Point) bool { return !(relDelta(p) < m) })
	}
	if d, ok := maxOf(f.StillAlert, absDelta); ok && d > 0 {
		m := above(d)
		add("min_delta: "+strconv.FormatFloat(m, 'f', -1, 64), func(p detector.Point) bool { return !(absDelta(p) < m) })
	}
	return out
}

// steps returns the first multiple of 1/per, from just below x upwards,
// that ok accepts.
func steps(x, per float64, ok func(float64) bool) float64 {
	k := math.Floor(x*per) - 1
	for !ok(k / per) {
		k++
	}
	return k / per
}

// reach words how far from expected the points lie at most.
func reach(ps []detector.Point) string {
	r, okR := maxOf(ps, relDelta)
	d, okD := maxOf(ps, absDelta)
	switch {
	case okR && okD:
		return fmt.Sprintf("at most %.0f%% (%s)", math.Round(r*100), plain(d))
	case okD:
		return "at most " + plain(d)
	}
	return ""
}

// plain writes x with four significant digits and no exponent.
func plain(x float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func absZ(p detector.Point) float64     { return math.Abs(p.Z) }
func absDelta(p detector.Point) float64 { return math.Abs(p.Value - p.Expected) }

// relDelta is the change relative to expected, as min_rel_delta reads it;
// NaN when there is no expected value or it is zero.
func relDelta(p detector.Point) float64 {
	if p.Expected == 0 {
		return math.NaN()
	}
	return math.Abs(p.Value-p.Expected) / math.Abs(p.Expected)
}

// maxOf returns the largest f over ps; not ok when ps is empty or f is
// not finite for one of them, since a guard could then not silence it.
func maxOf(ps []detector.Point, f func(detector.Point) float64) (float64, bool) {
	best := math.Inf(-1)
	for _, p := range ps {
		v := f(p)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, false
		}
		best = max(best, v)
	}
	return best, len(ps) > 0
}

// above returns the smallest number of two significant digits, at the
// scale of x > 0, that is greater than x.
func above(x float64) float64 {
	unit := math.Pow(10, math.Floor(math.Log10(x))-1)
	for k := math.Floor(x/unit) - 1; ; k++ {
		r, _ := strconv.ParseFloat(strconv.FormatFloat(k*unit, 'g', 2, 64), 64)
		if r > x {
			return r
		}
	}
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// orList joins items as "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
