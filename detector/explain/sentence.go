package explain

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"vigil/internal/humanize"
)

// sentence says in plain words what moved and why: the headline, then the
// explanation according to the verdict, then for ratios whether it is mix or
// rate.
func sentence(e *Explanation, in Input, r rules) string {
	parts := []string{headline(e, in)}
	items := e.Contributors[:e.ExplainedBy]
	move := "drop"
	switch {
	case r.flat:
		move = "movement"
	case e.Delta > 0:
		move = "rise"
	}
	switch e.Verdict {
	case Explained:
		parts = append(parts, explained(items, move, e.Unit, e.order)+offset(e, r))
	case Offsetting:
		parts = append(parts, "Segments moved in opposite directions: "+opposite(items, e.Unit, e.order)+".")
	case Partial:
		parts = append(parts, "No small set of segments explains it: "+partial(items, move, e.Unit, e.order)+offset(e, r))
	case Broad:
		parts = append(parts, "No segment stands out: the "+move+" is spread across segments in proportion to their size.")
	case Noise:
		parts = append(parts, "That is within normal variation, and no segment explains it.")
	}
	if e.Effects != nil && e.Verdict != Noise {
		parts = append(parts, mixOrRate(items, e.Effects))
	}
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " ")
}

// headline: "Orders were 3,210 at 14:00 UTC, 27% below the expected 4,400 (−1,190)."
func headline(e *Explanation, in Input) string {
	name := title(e.Metric)
	verb := " was "
	if strings.HasSuffix(name, "s") && !strings.HasSuffix(name, "ss") {
		verb = " were "
	}
	var rel string
	switch {
	case e.Delta == 0:
		rel = "in line with the expected " + fmtValue(e.Expected, e.Unit)
	case e.Expected == 0:
		rel = "against an expected " + fmtValue(0, e.Unit) + " (" + fmtDelta(e.Delta, e.Unit) + ")"
	default:
		side := " below"
		if e.Delta > 0 {
			side = " above"
		}
		pct := humanize.Percent(math.Abs(e.Delta) / math.Abs(e.Expected))
		rel = pct + side + " the expected " + fmtValue(e.Expected, e.Unit) + " (" + fmtDelta(e.Delta, e.Unit) + ")"
	}
	return name + verb + fmtValue(e.Actual, e.Unit) + " " + when(in) + ", " + rel + "."
}

// explained: "country=BR accounts for 81% of the drop (410 vs 1,370
// expected), mostly platform=android (91% of it)."
func explained(items []Contributor, move, unit string, order []string) string {
	if len(items) == 1 {
		c := items[0]
		top := root(c)
		s := name(top, order) + " accounts for " + humanize.Percent(top.Share) + " of the " + move + " (" + numbers(top, unit) + ")"
		if c.Parent != nil {
			s += ", " + refinement(c, order, false)
		}
		return s + "."
	}
	return list(items, unit, order) + " account for " + humanize.Percent(sumShares(items)) + " of the " + move + "."
}

// partial: "the largest, country=BR (…), accounts for 45% of the drop."
func partial(items []Contributor, move, unit string, order []string) string {
	verb := " accounts for "
	if len(items) > 1 {
		verb = " account for "
	}
	return "the largest, " + list(items, unit, order) + "," + verb + "only " + humanize.Percent(sumShares(items)) + " of the " + move + "."
}

// opposite: "country=US rose by 500 (2,500 vs 2,000 expected) and
// country=BR fell by 490 (…)".
func opposite(items []Contributor, unit string, order []string) string {
	var parts []string
	for _, c := range items {
		top := root(c)
		verb := " fell by "
		if top.Delta > 0 {
			verb = " rose by "
		}
		s := name(top, order) + verb + fmtValue(math.Abs(top.Delta), unit) + " (" + numbers(top, unit)
		if c.Parent != nil {
			s += "; " + refinement(c, order, true)
		}
		parts = append(parts, s+")")
	}
	return join(parts)
}

// list names several items with their numbers: "country=BR (410 vs 1,370
// expected; mostly platform=android) and country=MX (…)".
func list(items []Contributor, unit string, order []string) string {
	var parts []string
	for _, c := range items {
		top := root(c)
		s := name(top, order) + " (" + numbers(top, unit)
		if c.Parent != nil {
			s += "; " + refinement(c, order, true)
		}
		parts = append(parts, s+")")
	}
	return join(parts)
}

// refinement: "mostly platform=android (91% of it)", or inside parentheses
// "mostly platform=android, 91% of it".
func refinement(c Contributor, order []string, nested bool) string {
	var extra []string
	for _, d := range ordered(c.Segment, order) {
		if _, ok := c.Parent.Segment[d]; !ok {
			extra = append(extra, d+"="+value(c.Segment[d]))
		}
	}
	pct := humanize.Percent(ratioOr0(c.Delta, c.Parent.Delta)) + " of it"
	if nested {
		return "mostly " + strings.Join(extra, " & ") + ", " + pct
	}
	return "mostly " + strings.Join(extra, " & ") + " (" + pct + ")"
}

// offset names the largest move against the change in the explanation's
// breakdown when it is large enough to leave a visible part unexplained.
func offset(e *Explanation, r rules) string {
	for _, c := range e.Contributors[e.ExplainedBy:] {
		if c.Share < -(1 - r.minShare) {
			return " Partly offset by " + name(c, e.order) + " (" + fmtDelta(c.Delta, e.Unit) + ")."
		}
	}
	return ""
}

// mixOrRate says whether a ratio's change is mostly mix or rate, over the
// explaining segments or, without them, the whole breakdown.
func mixOrRate(items []Contributor, all *Effects) string {
	mix, rate := all.MixEffect, all.RateEffect
	if len(items) > 0 {
		mix, rate = 0, 0
		for _, c := range items {
			mix += root(c).MixEffect
			rate += root(c).RateEffect
		}
	}
	total := math.Abs(mix) + math.Abs(rate)
	switch {
	case total == 0:
		return ""
	case math.Abs(mix) >= 2*total/3:
		return "It is mostly a mix shift: volume moved between segments that convert differently, while their rates held."
	case math.Abs(rate) >= 2*total/3:
		return "It is mostly a change of rate within segments, not of their mix."
	}
	return "Both the mix of segments and their rates changed."
}

// numbers: "410 vs 1,370 expected"; for a ratio segment whose change is
// mostly mix, its share of the volume instead of its rate.
func numbers(c Contributor, unit string) string {
	if c.RatioParts != nil && math.Abs(c.MixEffect) > math.Abs(c.RateEffect) {
		return humanize.Percent(c.Weight) + " of volume vs " + humanize.Percent(c.ExpectedWeight) + " expected"
	}
	return fmtValue(c.Actual, unit) + " vs " + fmtValue(c.Expected, unit) + " expected"
}

func root(c Contributor) Contributor {
	if c.Parent != nil {
		return *c.Parent
	}
	return c
}

func sumShares(items []Contributor) float64 {
	var s float64
	for _, c := range items {
		s += root(c).Share
	}
	return s
}

// name: "country=BR", or "country=BR & platform=android" for a combination,
// dimensions in the given order (alphabetical for any not in it).
func name(c Contributor, order []string) string {
	var parts []string
	for _, d := range ordered(c.Segment, order) {
		parts = append(parts, d+"="+value(c.Segment[d]))
	}
	return strings.Join(parts, " & ")
}

func value(v string) string {
	if v == "" {
		return "(empty)"
	}
	return v
}

// ordered returns m's keys in the given order, then the rest sorted.
func ordered(m map[string]string, order []string) []string {
	keys := make([]string, 0, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// join: "a", "a and b", "a, b and c".
func join(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// title: "checkout_conversion" → "Checkout conversion".
func title(metric string) string {
	s := strings.NewReplacer("_", " ", "-", " ").Replace(strings.TrimSpace(metric))
	if s == "" {
		return "The metric"
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// when: "at 14:00 UTC" for sub-day buckets, "on Tue 5 Mar" for days.
func when(in Input) string {
	t := in.At.In(loc(in.Loc))
	if in.Step >= day && in.Step%day == 0 {
		return "on " + t.Format("Mon 2 Jan")
	}
	return "at " + t.Format("15:04 MST")
}

// fmtValue formats a value in the metric's unit: "3,210", "$3,210", "4.4%",
// "120 ms".
func fmtValue(x float64, unit string) string {
	switch unit {
	case "":
		return humanize.Number(x)
	case "%":
		return humanize.Percent(x)
	case "$", "€", "£", "¥":
		n := humanize.Number(x)
		if strings.HasPrefix(n, "−") {
			return "−" + unit + strings.TrimPrefix(n, "−")
		}
		return unit + n
	}
	return humanize.Number(x) + " " + unit
}

// fmtDelta formats a change with its sign; a change of a percentage is in
// points: "−1,190", "+$250", "−1.6 pts".
func fmtDelta(x float64, unit string) string {
	sign := ""
	switch {
	case x > 0:
		sign = "+"
	case x < 0:
		sign = "−"
	}
	if unit == "%" {
		return sign + strings.TrimSuffix(humanize.Percent(math.Abs(x)), "%") + " pts"
	}
	return sign + fmtValue(math.Abs(x), unit)
}
