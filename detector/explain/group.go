package explain

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// group is one breakdown: the metric by one dimension or a combination.
type group struct {
	dims     []string
	segs     []seg
	f        *frame
	surprise float64
	cands    []int   // segments that stand out in the change's direction, best first
	set      []int   // the explanation: the fewest leading cands reaching MinShare
	covered  float64 // share of the change the set accounts for
	broken   bool    // numbers overflowed: nothing measured
}

// newGroup measures the segments ks against the expected value.
func newGroup(dims []string, ks []keyed, ratio bool, expected float64) *group {
	var tot raw
	for _, k := range ks {
		tot = tot.plus(k.raw)
	}
	g := &group{dims: dims, f: newFrame(ratio, expected, tot), segs: make([]seg, len(ks))}
	for i, k := range ks {
		g.segs[i] = seg{values: k.values, raw: k.raw}
		g.f.measure(&g.segs[i])
	}
	g.f.finish(g.segs)
	for i := range g.segs {
		g.f.proportion(&g.segs[i])
	}
	if !g.finite() {
		g.clear()
	}
	g.surprise = surprise(g.segs, ratio)
	return g
}

// finite reports whether every derived number is finite: numbers at the
// edge of float64 (or a baseline of 1e-300) overflow and cannot be compared.
func (g *group) finite() bool {
	f := g.f
	ok := finite(f.net) && finite(f.gross) && finite(f.nullTotal) && finite(f.piNorm) && finite(f.k) && finite(f.kRate)
	for i := 0; ok && i < len(g.segs); i++ {
		s := &g.segs[i]
		ok = finite(s.actual) && finite(s.expected) && finite(s.delta) && finite(s.mix) && finite(s.rate) &&
			finite(s.x) && finite(s.pi) && finite(s.vol)
	}
	return ok
}

// clear leaves the group's segments without measures, so that it explains
// nothing.
func (g *group) clear() {
	g.broken = true
	for i := range g.segs {
		g.segs[i] = seg{values: g.segs[i].values, raw: g.segs[i].raw}
	}
	g.f.net, g.f.gross, g.f.nullTotal, g.f.piNorm = 0, 0, 0, 0
}

// level is the number of dimensions combined.
func (g *group) level() int { return len(g.dims) }

func (g *group) name() string { return strings.Join(g.dims, ",") }

// ep is the group's explanatory power: the share of the change its set
// accounts for, within [0, 1].
func (g *group) ep() float64 { return clamp01(g.covered) }

// rules are how segments are judged once the whole first level is known.
type rules struct {
	flat     bool    // the change is small against the movement: shares are of the gross movement
	dir      float64 // +1 for a rise, −1 for a drop (unused when flat)
	scale    float64
	minZ     float64
	minShare float64
	maxSegs  int
}

// moves reports whether s moved beyond noise, and in the change's direction
// unless the change is flat.
func (r rules) moves(s *seg) bool {
	if r.flat {
		return math.Abs(s.z) >= r.minZ
	}
	return r.dir*s.delta > 0 && r.dir*s.z >= r.minZ
}

// standsOut is moves for a segment that can be an explanation: not Other.
func (r rules) standsOut(s *seg) bool {
	return !slices.Contains(s.values, Other) && r.moves(s)
}

// weight is how much s counts towards explaining the change.
func (r rules) weight(s *seg) float64 {
	if r.flat {
		return math.Abs(s.share)
	}
	return s.share
}

// judge sets shares and scores, the candidates and the set.
func (g *group) judge(r rules) {
	g.cands, g.set, g.covered = nil, nil, 0
	for i := range g.segs {
		s := &g.segs[i]
		g.f.judge(s, r.flat, r.scale)
		if r.standsOut(s) {
			g.cands = append(g.cands, i)
		}
	}
	slices.SortStableFunc(g.cands, func(a, b int) int {
		return cmp.Compare(r.weight(&g.segs[b]), r.weight(&g.segs[a]))
	})
	for _, i := range g.cands {
		if len(g.set) == r.maxSegs || g.covered >= r.minShare {
			break
		}
		g.set = append(g.set, i)
		g.covered += r.weight(&g.segs[i])
	}
}

// explains reports whether the group's set reaches MinShare.
func (g *group) explains(r rules) bool { return g.covered >= r.minShare }

// better orders groups best first: those that explain the change, with the
// fewest segments, the most surprising; then the most explanatory.
func better(r rules) func(a, b *group) int {
	return func(a, b *group) int {
		ea, eb := a.explains(r), b.explains(r)
		if ea != eb {
			return -cmp.Compare(boolInt(ea), boolInt(eb))
		}
		if ea {
			if c := cmp.Compare(len(a.set), len(b.set)); c != 0 {
				return c
			}
			if c := cmp.Compare(b.surprise, a.surprise); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(b.ep(), a.ep()); c != 0 {
			return c
		}
		return cmp.Compare(b.surprise, a.surprise)
	}
}

// within returns the index of the segments of g inside the segment with the
// given dims and values, and their sum.
func (g *group) within(dims, values []string) ([]int, raw) {
	pos := make([]int, len(dims))
	for i, d := range dims {
		pos[i] = slices.Index(g.dims, d)
		if pos[i] < 0 {
			return nil, raw{}
		}
	}
	var idx []int
	var sum raw
	for j, s := range g.segs {
		match := true
		for i, p := range pos {
			if s.values[p] != values[i] {
				match = false
				break
			}
		}
		if match {
			idx = append(idx, j)
			sum = sum.plus(s.raw)
		}
	}
	return idx, sum
}

// measureRaw measures an aggregate of g's segments (such as a remainder) as
// if it were one of them.
func (g *group) measureRaw(values []string, r raw, ru rules) seg {
	s := seg{values: values, raw: r}
	g.f.measure(&s)
	g.f.proportion(&s)
	g.f.judge(&s, ru.flat, ru.scale)
	return s
}
