package explain

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Fold applies req's Keep and TopK to cells, the way Explain does with
// whatever a Fetcher returns: a source that cannot fold in SQL may return
// every value and call Fold. ratio says which fields of the cells hold the
// metric. Cells with the same values are added up; cells whose numbers are
// all zero are dropped.
//
// TopK keeps, for each dimension of a group without a Keep entry, the values
// that moved most: ranked by |x|, the departure of the value's contribution
// from the part of the group's change it would carry if the change were
// spread evenly (for a plain metric |A − B·ΣA/ΣB|; for a ratio the same idea
// on its mix and rate effects), then by volume, then by value.
func Fold(req Request, cells []Cell, ratio bool) ([]Cell, error) {
	groups, _, err := fold(req, cells, ratio)
	if err != nil {
		return nil, err
	}
	var out []Cell
	for g, segs := range groups {
		for _, s := range segs {
			out = append(out, s.cell(g, ratio))
		}
	}
	return out, nil
}

// keyed is the values of one segment and its numbers.
type keyed struct {
	values []string
	raw
}

func (k keyed) cell(g int, ratio bool) Cell {
	c := Cell{Group: g, Values: k.values}
	if ratio {
		c.CurrentNum, c.CurrentDen, c.BaselineNum, c.BaselineDen = k.n1, k.d1, k.n0, k.d0
	} else {
		c.Current, c.Baseline = k.cur, k.base
	}
	return c
}

// fold returns each group's folded segments in a stable order, and how many
// numbers were unusable (NaN, infinite, or a negative denominator) and read
// as zero.
func fold(req Request, cells []Cell, ratio bool) ([][]keyed, int, error) {
	parts := make([][]keyed, len(req.Groups))
	bad := 0
	for i, c := range cells {
		if c.Group < 0 || c.Group >= len(req.Groups) {
			return nil, 0, fmt.Errorf("cell %d: group %d out of range [0, %d)", i, c.Group, len(req.Groups))
		}
		if want := len(req.Groups[c.Group]); len(c.Values) != want {
			return nil, 0, fmt.Errorf("cell %d: %d values for the %d dimensions %v", i, len(c.Values), want, req.Groups[c.Group])
		}
		r, n := sanitize(c, ratio)
		bad += n
		parts[c.Group] = append(parts[c.Group], keyed{values: slices.Clone(c.Values), raw: r})
	}
	for g, dims := range req.Groups {
		segs := merge(parts[g])
		for i, d := range dims {
			keep := keepSet(req, d, i, segs, ratio)
			if keep == nil {
				continue
			}
			for j := range segs {
				if !keep[segs[j].values[i]] {
					segs[j].values[i] = Other
				}
			}
		}
		parts[g] = merge(segs)
	}
	return parts, bad, nil
}

// sanitize reads a cell's numbers, counting those it had to read as zero.
func sanitize(c Cell, ratio bool) (raw, int) {
	bad := 0
	num := func(x float64, nonNeg bool) float64 {
		if !finite(x) || (nonNeg && x < 0) {
			bad++
			return 0
		}
		return x
	}
	if ratio {
		return raw{n1: num(c.CurrentNum, false), d1: num(c.CurrentDen, true),
			n0: num(c.BaselineNum, false), d0: num(c.BaselineDen, true)}, bad
	}
	return raw{cur: num(c.Current, false), base: num(c.Baseline, false)}, bad
}

// merge adds up segments with the same values, drops empty ones, and sorts
// them by values with Other last.
func merge(in []keyed) []keyed {
	idx := map[string]int{}
	var out []keyed
	for _, k := range in {
		key := strings.Join(k.values, "\x00")
		if i, ok := idx[key]; ok {
			out[i].raw = out[i].raw.plus(k.raw)
			continue
		}
		idx[key] = len(out)
		out = append(out, k)
	}
	out = slices.DeleteFunc(out, func(k keyed) bool { return k.zero() })
	slices.SortFunc(out, func(a, b keyed) int { return compareValues(a.values, b.values) })
	return out
}

func compareValues(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] == b[i] {
			continue
		}
		if a[i] == Other || b[i] == Other {
			return cmp.Compare(boolInt(a[i] == Other), boolInt(b[i] == Other))
		}
		return strings.Compare(a[i], b[i])
	}
	return cmp.Compare(len(a), len(b))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// keepSet returns the values of the group's i-th dimension d to keep, or nil
// to keep them all.
func keepSet(req Request, d string, i int, segs []keyed, ratio bool) map[string]bool {
	if vals, ok := req.Keep[d]; ok {
		keep := make(map[string]bool, len(vals))
		for _, v := range vals {
			keep[v] = v != Other
		}
		return keep
	}
	if req.TopK <= 0 {
		return nil
	}
	marg := marginal(segs, i)
	if len(marg) <= req.TopK {
		return nil
	}
	rankByMove(marg, ratio)
	keep := make(map[string]bool, req.TopK)
	for _, m := range marg[:req.TopK] {
		keep[m.values[0]] = true
	}
	return keep
}

// marginal adds the segments up by their i-th value, leaving out values
// already folded.
func marginal(segs []keyed, i int) []keyed {
	var m []keyed
	for _, s := range segs {
		if s.values[i] != Other {
			m = append(m, keyed{values: []string{s.values[i]}, raw: s.raw})
		}
	}
	return merge(m)
}

// rankByMove sorts segments by how far they moved from an even spread of the
// change, largest first; see Fold.
func rankByMove(ks []keyed, ratio bool) {
	var tot raw
	for _, k := range ks {
		tot = tot.plus(k.raw)
	}
	expected := tot.base
	if ratio {
		expected = ratioOr0(tot.n0, tot.d0)
	}
	g := newGroup(nil, ks, ratio, expected)
	move := make(map[string]float64, len(ks))
	for _, s := range g.segs {
		move[s.values[0]] = math.Abs(s.x)
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if c := cmp.Compare(move[b.values[0]], move[a.values[0]]); c != 0 {
			return c
		}
		if c := cmp.Compare(volume(b.raw), volume(a.raw)); c != 0 {
			return c
		}
		return strings.Compare(a.values[0], b.values[0])
	})
}

func volume(r raw) float64 {
	return math.Abs(r.cur) + math.Abs(r.base) + r.d1 + r.d0
}
