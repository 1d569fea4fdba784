package explain

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Explanation is why a metric moved: the segments that account for the
// change, how each dimension scores, and a sentence for people. Its JSON form
// is part of vigil's interface (webhooks, `vigil explain --json`).
type Explanation struct {
	Metric   string    `json:"metric"`
	Unit     string    `json:"unit,omitempty"`
	At       time.Time `json:"at"`
	Actual   float64   `json:"actual"`
	Expected float64   `json:"expected"`
	Delta    float64   `json:"delta"` // Actual − Expected
	Sentence string    `json:"sentence"`
	Verdict  Verdict   `json:"verdict"`
	// ExplainedShare is the part of the change, from 0 to 1, that the
	// explaining contributors account for (of the gross movement when the
	// verdict is Offsetting).
	ExplainedShare float64 `json:"explained_share"`
	// ExplainedBy is how many of the leading Contributors form the
	// explanation; the others are the next largest moves, for context.
	ExplainedBy  int           `json:"explained_by"`
	Contributors []Contributor `json:"contributors"`
	Dimensions   []Dimension   `json:"dimensions"` // one per dimension, best first
	// Breakdowns holds every breakdown fetched, each segment with its
	// numbers, largest moves first; combinations hold only the values that
	// stood out, the rest folded into Other.
	Breakdowns []Breakdown `json:"breakdowns"`
	*Effects               // ratio metrics: the change split in the explanation's breakdown
	Queries    int         `json:"queries"` // Breakdown calls made
	Notes      []string    `json:"notes,omitempty"`

	order []string // the input's dimensions, to name segments in that order
}

// Verdict is the kind of explanation found.
type Verdict string

// Verdicts.
const (
	// Explained: a few segments account for at least MinShare of the change.
	Explained Verdict = "explained"
	// Offsetting: the total barely moved because segments moved in opposite
	// directions; a few account for MinShare of the gross movement.
	Offsetting Verdict = "offsetting"
	// Partial: the few segments that stand out most account for less than
	// MinShare of the change.
	Partial Verdict = "partial"
	// Broad: no segment stands out; the change is spread in proportion to
	// the segments' size.
	Broad Verdict = "broad"
	// Noise: the change is within the metric's normal variation (less than
	// MinZ times Scale) and no few segments explain MinShare of it.
	Noise Verdict = "noise"
)

// Dimension scores one dimension.
type Dimension struct {
	Name string `json:"name"`
	// Surprise is the Jensen–Shannon divergence, from 0 to 1, between the
	// expected and actual distributions of the metric over its values.
	Surprise float64 `json:"surprise"`
	// ExplanatoryPower is the share of the change, from 0 to 1, that its
	// few values that stand out account for.
	ExplanatoryPower float64 `json:"explanatory_power"`
	Segments         int     `json:"segments"` // how many values that takes
}

// Contributor is one segment and its part in the change.
type Contributor struct {
	Segment  map[string]string `json:"segment"`  // dimension → value
	Actual   float64           `json:"actual"`   // ratio: the segment's rate
	Expected float64           `json:"expected"` // scaled baseline; ratio: expected rate
	// Delta is the segment's contribution to the metric's change: its
	// actual minus expected value, or for a ratio its mix plus rate effect
	// (in the ratio's units, not the change of its own rate).
	Delta float64 `json:"delta"`
	// Share is Delta over the metric's change, so a breakdown's shares add up
	// to 1; when the verdict is Offsetting it is over the gross movement
	// (the sum of |Delta|), so their absolute values add up to 1.
	Share       float64 `json:"share"`
	*RatioParts         // ratio metrics only
	// Parent is the shallower segment this one refines, when the change of
	// the parent is confined to it; shares and numbers are the parent's.
	Parent *Contributor `json:"parent,omitempty"`
}

// Effects split a ratio's change into mix (segments' share of the
// denominator moved) and rate (the ratio moved inside segments).
type Effects struct {
	MixEffect  float64 `json:"mix_effect"`
	RateEffect float64 `json:"rate_effect"`
}

// RatioParts are a ratio segment's effects and its share of the denominator.
type RatioParts struct {
	Effects
	Weight         float64 `json:"weight"`
	ExpectedWeight float64 `json:"expected_weight"`
}

// Breakdown is the metric by one dimension or combination.
type Breakdown struct {
	Dimensions       []string      `json:"dimensions"`
	Surprise         float64       `json:"surprise"`
	ExplanatoryPower float64       `json:"explanatory_power"`
	Segments         []Contributor `json:"segments"`
}

// maxContributors bounds the contributors listed for context.
const maxContributors = 10

// result assembles the Explanation from the search.
func (s *search) result() *Explanation {
	e := &Explanation{
		Metric: s.in.Metric, Unit: s.in.Unit, At: s.in.At.In(loc(s.in.Loc)),
		Actual: s.in.Actual, Expected: s.in.Expected, Delta: s.in.Actual - s.in.Expected,
		ExplainedShare: clamp01(s.covered()), ExplainedBy: len(s.items), Queries: s.nq,
		order: s.in.Dimensions,
	}
	e.Verdict = s.verdict()
	for _, it := range s.items {
		c := s.contributor(it.g, &it.s)
		if it.root != nil {
			p := s.contributor(it.root.g, &it.root.s)
			c.Parent = &p
		}
		e.Contributors = append(e.Contributors, c)
	}
	e.Contributors = append(e.Contributors, s.context(maxContributors-len(e.Contributors))...)
	e.Dimensions = s.dimensions()
	for _, gs := range s.levels {
		for _, g := range gs {
			e.Breakdowns = append(e.Breakdowns, s.breakdown(g))
		}
	}
	if s.in.Ratio {
		e.Effects = &Effects{}
		for _, sg := range s.top.segs {
			e.MixEffect += sg.mix
			e.RateEffect += sg.rate
		}
		if !finite(e.MixEffect) || !finite(e.RateEffect) {
			e.MixEffect, e.RateEffect = 0, 0
		}
	}
	s.checkTotals()
	e.Notes = s.notes
	e.Sentence = sentence(e, s.in, s.r)
	return e
}

func (s *search) verdict() Verdict {
	c := s.covered()
	switch {
	case len(s.items) > 0 && c >= s.o.MinShare && s.r.flat:
		return Offsetting
	case len(s.items) > 0 && c >= s.o.MinShare:
		return Explained
	case s.in.Scale > 0 && math.Abs(s.in.Actual-s.in.Expected) < s.o.MinZ*s.in.Scale:
		return Noise
	case len(s.items) > 0:
		return Partial
	}
	return Broad
}

func (s *search) contributor(g *group, sg *seg) Contributor {
	c := Contributor{Segment: map[string]string{}, Actual: sg.actual, Expected: sg.expected,
		Delta: sg.delta, Share: sg.share}
	for i, d := range g.dims {
		c.Segment[d] = sg.values[i]
	}
	if s.in.Ratio {
		c.RatioParts = &RatioParts{Effects: Effects{MixEffect: sg.mix, RateEffect: sg.rate},
			Weight: sg.w1, ExpectedWeight: sg.w0}
	}
	return c
}

// context lists up to n of the largest other moves in the explanation's
// breakdown, leaving out segments that overlap the explanation's.
func (s *search) context(n int) []Contributor {
	var out []Contributor
	for _, i := range byMove(s.top.segs) {
		if len(out) >= n {
			break
		}
		sg := &s.top.segs[i]
		if sg.delta == 0 || slices.ContainsFunc(s.items, func(it *item) bool { return overlaps(s.top, sg, it) }) {
			continue
		}
		out = append(out, s.contributor(s.top, sg))
	}
	return out
}

// overlaps reports whether segment sg of g and the item's segment (or the
// segment it refines) are one inside the other.
func overlaps(g *group, sg *seg, it *item) bool {
	for _, o := range []*item{it, it.origin()} {
		if inside(g.dims, sg.values, o.g.dims, o.s.values) || inside(o.g.dims, o.s.values, g.dims, sg.values) {
			return true
		}
	}
	return false
}

// inside reports whether the segment (ad, av) lies inside (bd, bv): every
// condition of b is one of a's.
func inside(ad, av, bd, bv []string) bool {
	for i, d := range bd {
		j := slices.Index(ad, d)
		if j < 0 || av[j] != bv[i] {
			return false
		}
	}
	return true
}

// byMove returns the indices of segs, largest |delta| first.
func byMove(segs []seg) []int {
	idx := make([]int, len(segs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Compare(math.Abs(segs[b].delta), math.Abs(segs[a].delta))
	})
	return idx
}

func (s *search) dimensions() []Dimension {
	first := slices.Clone(s.levels[0])
	slices.SortStableFunc(first, better(s.r))
	out := make([]Dimension, len(first))
	for i, g := range first {
		out[i] = Dimension{Name: g.dims[0], Surprise: g.surprise, ExplanatoryPower: g.ep(), Segments: len(g.set)}
	}
	return out
}

func (s *search) breakdown(g *group) Breakdown {
	b := Breakdown{Dimensions: g.dims, Surprise: g.surprise, ExplanatoryPower: g.ep()}
	for _, i := range byMove(g.segs) {
		b.Segments = append(b.Segments, s.contributor(g, &g.segs[i]))
	}
	return b
}

// checkTotals notes data problems: unusable numbers, and breakdowns that do
// not add up to the detector's value.
func (s *search) checkTotals() {
	if s.bad > 0 {
		s.note("%d unusable numbers in the breakdowns (NaN, infinite, or a negative denominator) were read as zero", s.bad)
	}
	for _, gs := range s.levels {
		for _, g := range gs {
			if g.broken {
				s.note("the breakdown by %s has numbers too large or too small to compare; it explains nothing", g.name())
			}
		}
	}
	f := s.levels[0][0].f
	switch {
	case f.ratio && f.noVolume:
		s.note("the breakdowns have no denominator in the bucket or the baseline: nothing to split")
		return
	case !f.ratio && f.byCurrent:
		s.note("the breakdowns have no baseline: expected values are shared out like the current ones")
	}
	total := f.sumA
	if f.ratio {
		total = f.rbar*2 - f.expected
	}
	if d := math.Abs(total - s.in.Actual); d > 0.01*math.Max(math.Abs(s.in.Actual), math.Abs(s.in.Expected)) {
		s.note("the breakdowns add up to %s, not the metric's %s: shares are of the breakdowns' change",
			fmtValue(total, s.in.Unit), fmtValue(s.in.Actual, s.in.Unit))
	}
}

func loc(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}
