package detector

import (
	"math"

	"vigil/internal/humanize"
)

// Reason says in plain words why p is anomalous: "27% below the expected
// 4,400; lower bound 3,900".
func Reason(p Point) string {
	switch {
	case math.IsNaN(p.Value):
		return "no data"
	case math.IsNaN(p.Expected):
		if p.Direction == Up {
			return humanize.Number(p.Value) + " above the upper bound " + humanize.Number(p.Upper)
		}
		return humanize.Number(p.Value) + " below the lower bound " + humanize.Number(p.Lower)
	}
	side, bound, name := "above", p.Upper, "upper"
	if p.Value < p.Expected {
		side, bound, name = "below", p.Lower, "lower"
	}
	var move string
	if p.Expected != 0 {
		move = humanize.Percent(math.Abs(p.Value-p.Expected)/math.Abs(p.Expected)) + " " + side
	} else {
		move = humanize.Number(math.Abs(p.Value-p.Expected)) + " " + side
	}
	return move + " the expected " + humanize.Number(p.Expected) + "; " + name + " bound " + humanize.Number(bound)
}

// Volume is the bucket's volume for the minimum-volume guard: its weight when
// the series has one (a ratio's denominator), otherwise the larger of the
// actual and expected values, so that a drop to zero of a large metric still
// counts as large.
func Volume(s Series, i int, expected float64) float64 {
	if s.Weight != nil {
		return s.Weight[i]
	}
	v := s.Values[i]
	if math.IsNaN(v) || expected > v {
		return expected
	}
	return v
}
