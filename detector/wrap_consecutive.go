package detector

import (
	"errors"
	"strconv"
)

// Consecutive wraps d so that a point alerts only when it and the n−1
// judged points just before it were all anomalies of d on the same side of
// the band: N breaches in a row. A point that is part of a shorter run is
// not anomalous and keeps d's band, score and direction; its Reason says
// how far the run has come ("…; 2 hours in a row of the 3 needed"). An
// alerting point's Reason gains "…; 3 hours in a row" (n buckets, with the
// bucket word from the step; the run may be longer).
//
// To judge s.Values[from:], d judges from from−(n−1), so that a run may
// begin before from and the verdicts do not depend on from. Points too
// early in the series to have n−1 points before them cannot alert. n ≤ 1
// returns d itself.
func Consecutive(d Detector, n int) Detector {
	if n <= 1 {
		return d
	}
	return consecutive{d: d, n: n}
}

type consecutive struct {
	d Detector
	n int
}

// Detect judges s.Values[from:].
func (c consecutive) Detect(s Series, from int) ([]Point, error) {
	if err := wrapCheck("consecutive", s, from); err != nil {
		return nil, err
	}
	start := max(0, from-(c.n-1))
	pts, err := c.d.Detect(s, start)
	// The wrapped detector may refuse to judge that early (Auto needs some
	// history): start later, where it can, as it would have live.
	for errors.Is(err, ErrNotEnoughData) && start < from {
		start++
		pts, err = c.d.Detect(s, start)
	}
	if err != nil {
		return nil, err
	}
	if err := wrapPoints("consecutive", pts, s, start); err != nil {
		return nil, err
	}
	run, side := 0, None
	for k := range pts {
		p := &pts[k]
		switch {
		case !p.Anomaly:
			run = 0
			continue
		case run > 0 && p.Direction == side:
			run++
		default:
			run, side = 1, p.Direction
		}
		if start+k < from {
			continue
		}
		if run >= c.n {
			// n, not run: a longer run may have begun before the points
			// judged here, and the verdict must not depend on from.
			p.Reason += "; " + wrapRun(c.n, s.Step) + " in a row"
			continue
		}
		p.Anomaly = false
		p.Reason += "; " + wrapRun(run, s.Step) + " in a row of the " + strconv.Itoa(c.n) + " needed"
	}
	return pts[from-start:], nil
}
