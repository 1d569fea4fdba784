package explain

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Bounds of the drill-down that are not options: they keep a combination
// query small (at most C(4,2) = 6 pairs of at most 11 × 11 cells) whatever
// the number and cardinality of dimensions.
const (
	maxComboDims = 4  // dimensions combined: the most surprising that stand out
	maxKeep      = 10 // values per dimension kept in combinations: those that stand out
	// flatFraction: when the net change is below this fraction of a
	// breakdown's gross movement (ups plus downs), shares of the net change
	// would read as large multiples (over ±300%) and mean little, so shares
	// are taken of the gross movement instead.
	flatFraction = 0.2
)

// item is one segment of the explanation. root is the segment it refines, as
// found at a shallower level, or the item itself.
type item struct {
	g    *group
	s    seg
	root *item
}

func (it *item) origin() *item {
	if it.root != nil {
		return it.root
	}
	return it
}

// search is the state of one Explain call.
type search struct {
	f      Fetcher
	in     Input
	o      Options
	r      rules
	cur    Range
	levels [][]*group // fetched groups by level, level 1 first
	items  []*item
	top    *group // the group the explanation was found in
	dims   []string
	keep   map[string][]string
	notes  []string
	bad    int
	nq     int
}

func newSearch(f Fetcher, in Input, o Options) *search {
	return &search{f: f, in: in, o: o, cur: Bucket(in.At, in.Step, in.Loc)}
}

// run fetches the first level, then drills down while it helps and the
// budget lasts.
func (s *search) run(ctx context.Context) error {
	groups := make([][]string, len(s.in.Dimensions))
	for i, d := range s.in.Dimensions {
		groups[i] = []string{d}
	}
	first, err := s.fetch(ctx, groups, nil, max(s.o.TopK, 0))
	if err != nil {
		return err
	}
	s.levels = [][]*group{first}
	s.r = s.decide(first)
	for _, g := range first {
		g.judge(s.r)
	}
	ranked := slices.Clone(first)
	slices.SortStableFunc(ranked, better(s.r))
	s.use(ranked[0])
	s.dims, s.keep = s.candidates(first)
	for level := 2; level <= s.o.MaxDepth; level++ {
		if !s.drill(ctx, level) {
			break
		}
	}
	return nil
}

// decide fixes the direction of the change and whether it is flat.
func (s *search) decide(first []*group) rules {
	r := rules{scale: s.in.Scale, minZ: s.o.MinZ, minShare: s.o.MinShare, maxSegs: s.o.MaxSegments}
	net := s.in.Actual - s.in.Expected
	r.dir = math.Copysign(1, net)
	r.flat = net == 0
	for _, g := range first {
		if g.f.net*r.dir < 0 || math.Abs(g.f.net) < flatFraction*g.f.gross {
			r.flat = true
		}
	}
	return r
}

// use makes g's set the explanation.
func (s *search) use(g *group) {
	s.top, s.items = g, nil
	for _, i := range g.set {
		s.items = append(s.items, &item{g: g, s: g.segs[i]})
	}
}

// covered is the share of the change the explanation accounts for, counted
// at the level each item was found.
func (s *search) covered() float64 {
	var c float64
	for _, it := range s.items {
		c += s.r.weight(&it.origin().s)
	}
	return c
}

// candidates returns the dimensions worth combining, most surprising first,
// and the values of each worth keeping: those that stand out.
func (s *search) candidates(first []*group) ([]string, map[string][]string) {
	var gs []*group
	for _, g := range first {
		if len(g.cands) > 0 {
			gs = append(gs, g)
		}
	}
	slices.SortStableFunc(gs, func(a, b *group) int {
		inA, inB := s.explainsWith(a), s.explainsWith(b)
		if inA != inB {
			return boolInt(inB) - boolInt(inA)
		}
		return cmp.Compare(b.surprise, a.surprise)
	})
	gs = gs[:min(len(gs), maxComboDims)]
	keep := map[string][]string{}
	var dims []string
	for _, g := range gs {
		dims = append(dims, g.dims[0])
		for _, i := range g.cands[:min(len(g.cands), maxKeep)] {
			keep[g.dims[0]] = append(keep[g.dims[0]], g.segs[i].values[0])
		}
	}
	return dims, keep
}

// explainsWith reports whether the explanation's items come from g.
func (s *search) explainsWith(g *group) bool {
	return slices.ContainsFunc(s.items, func(it *item) bool { return it.g == g })
}

// drill fetches the combinations of the given size, lets them replace an
// explanation that falls short, and refines the explanation's segments. It
// reports whether a deeper level may still help.
func (s *search) drill(ctx context.Context, level int) bool {
	combos := s.combos(level)
	if len(combos) == 0 {
		return false
	}
	if s.nq >= s.o.MaxQueries {
		s.note("combinations of %d dimensions not searched: the budget of %d queries is used up", level, s.o.MaxQueries)
		return false
	}
	gs, err := s.fetch(ctx, combos, s.keep, 0)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("the time budget of %v ran out", s.o.MaxDuration)
		}
		s.note("combinations of %d dimensions not searched: %v", level, err)
		return false
	}
	for _, g := range gs {
		g.judge(s.r)
	}
	s.levels = append(s.levels, gs)
	if s.covered() < s.o.MinShare {
		ranked := slices.Clone(gs)
		slices.SortStableFunc(ranked, better(s.r))
		if t := ranked[0]; t.explains(s.r) || t.ep() > clamp01(s.covered()) {
			s.use(t)
		}
	}
	s.refine(gs, level)
	return s.covered() < s.o.MinShare ||
		slices.ContainsFunc(s.items, func(it *item) bool { return it.g.level() == level })
}

// combos lists the combinations of level candidate dimensions to fetch: each
// only if all its sub-combinations one level up had segments that stand out
// (Squeeze and HotSpot prune the same way), and once the change is
// explained, only those that can refine one of the explanation's segments.
func (s *search) combos(level int) [][]string {
	var out [][]string
	for _, c := range choose(s.dims, level) {
		if level > 2 && !s.parentsStandOut(c) {
			continue
		}
		if s.covered() >= s.o.MinShare && !s.refines(c, level) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// parentsStandOut reports whether every fetched sub-combination of c one
// level up has segments that stand out, and at least one was fetched. A
// sub-combination left out because it could not refine the explanation is
// no evidence either way.
func (s *search) parentsStandOut(c []string) bool {
	found := false
	for _, sub := range choose(c, len(c)-1) {
		g := s.find(sub)
		if g == nil {
			continue
		}
		if len(g.cands) == 0 {
			return false
		}
		found = true
	}
	return found
}

func (s *search) refines(c []string, level int) bool {
	return slices.ContainsFunc(s.items, func(it *item) bool {
		return it.g.level() == level-1 && subset(it.g.dims, c)
	})
}

// find returns the fetched group of exactly these dimensions, in any order.
func (s *search) find(dims []string) *group {
	for _, gs := range s.levels {
		for _, g := range gs {
			if len(g.dims) == len(dims) && subset(dims, g.dims) {
				return g
			}
		}
	}
	return nil
}

// refine replaces each item found one level up by its child in one of gs
// when the change inside the item is confined to that child: the child
// stands out and the rest of the item does not move the same way.
func (s *search) refine(gs []*group, level int) {
	for k, it := range s.items {
		if it.g.level() != level-1 {
			continue
		}
		var best *item
		for _, g := range gs {
			if c := s.child(it, g); c != nil && (best == nil || math.Abs(c.s.delta) > math.Abs(best.s.delta)) {
				best = c
			}
		}
		if best != nil {
			s.items[k] = best
		}
	}
}

// child returns it's single child in g that carries its change, or nil.
func (s *search) child(it *item, g *group) *item {
	if !subset(it.g.dims, g.dims) {
		return nil
	}
	idx, sum := g.within(it.g.dims, it.s.values)
	sign := math.Copysign(1, it.s.delta)
	var best *item
	for _, j := range idx {
		c := &g.segs[j]
		if c.delta*sign <= 0 || !s.r.standsOut(c) {
			continue
		}
		rest := g.measureRaw(nil, sum.minus(c.raw), s.r)
		if rest.delta*sign > 0 && rest.z*sign >= s.r.minZ {
			continue
		}
		if best == nil || math.Abs(c.delta) > math.Abs(best.s.delta) {
			best = &item{g: g, s: *c, root: it.origin()}
		}
	}
	return best
}

// fetch runs one breakdown query and measures its groups.
func (s *search) fetch(ctx context.Context, groups [][]string, keep map[string][]string, topK int) ([]*group, error) {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = strings.Join(g, ",")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("breakdown by %s: %w", strings.Join(names, "; "), err)
	}
	req := Request{Current: s.cur, Baseline: slices.Clone(s.in.Baseline), Keep: keep, TopK: topK}
	for _, g := range groups {
		req.Groups = append(req.Groups, slices.Clone(g))
	}
	s.nq++
	cells, err := s.f.Breakdown(ctx, req)
	if err == nil {
		var parts [][]keyed
		var bad int
		parts, bad, err = fold(req, cells, s.in.Ratio)
		if err == nil {
			s.bad += bad
			out := make([]*group, len(groups))
			for i, dims := range groups {
				out[i] = newGroup(dims, parts[i], s.in.Ratio, s.in.Expected)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("breakdown by %s: %w", strings.Join(names, "; "), err)
}

func (s *search) note(format string, args ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

// choose returns the combinations of k of xs, in order.
func choose(xs []string, k int) [][]string {
	if k == 0 {
		return [][]string{nil}
	}
	var out [][]string
	for i := 0; i+k <= len(xs); i++ {
		for _, rest := range choose(xs[i+1:], k-1) {
			out = append(out, append([]string{xs[i]}, rest...))
		}
	}
	return out
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
