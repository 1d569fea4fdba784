package sourcestest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"vigil/detector/explain"
)

var (
	cubeCountries = []string{"US", "BR", "DE", "FR", "IN", "MX", "JP", "GB", "CA", "AU"}
	cubePlatforms = []string{"android", "ios", "web"}
	cubeChannels  = []string{"ads", "direct", "email", "social"}
)

// shop is a plain metric: amount by country, platform and channel.
func shop(name string, effect func([]string) float64) cubeSpec {
	return cubeSpec{name: name, dims: []string{"country", "platform", "channel"},
		values: [][]string{cubeCountries, cubePlatforms, cubeChannels},
		total:  40000, noise: 0.01, seed: 1, effect: effect}
}

// funnel is a ratio, orders over sessions by platform and country, where
// platforms convert differently.
func funnel(name string, effect, traffic func([]string) float64) cubeSpec {
	rates := map[string]float64{"web": 0.10, "android": 0.02, "ios": 0.05}
	return cubeSpec{name: name, dims: []string{"platform", "country"},
		values: [][]string{{"web", "android", "ios"}, cubeCountries[:5]},
		total:  200000, noise: 0.01, seed: 2, ratio: true,
		rate:   func(v []string) float64 { return rates[v[0]] },
		effect: effect, traffic: traffic}
}

// where returns an effect that multiplies the leaves whose dimension i is
// want[i] (for every i in want) by factor.
func where(want map[int]string, factor float64) func([]string) float64 {
	return func(v []string) float64 {
		for i, w := range want {
			if v[i] != w {
				return 1
			}
		}
		return factor
	}
}

// ExplainCubes returns the scenarios every source must explain right when
// explain.Explain fetches through its Breakdown: a drop in one value, a
// drop confined to two values of two dimensions, a rise hidden in a flat
// total, a ratio drop that is pure mix shift, a ratio drop that is a rate
// change in one segment, and a drop in one value of a dimension of 200.
func ExplainCubes() []*Cube {
	one := build(shop("one_value_drops", where(map[int]string{0: "BR"}, 0.3)))
	one.check = func(t testing.TB, e *explain.Explanation) {
		wantTop(t, e, explain.Explained, map[string]string{"country": "BR"})
		near(t, "share of country=BR", e.Contributors[0].Share, 1, 0.05)
		if e.Dimensions[0].Name != "country" {
			t.Errorf("Dimensions[0] = %+v, want country", e.Dimensions[0])
		}
	}
	combo := build(shop("combination_drops", where(map[int]string{0: "BR", 1: "android"}, 0.2)))
	combo.check = func(t testing.TB, e *explain.Explanation) {
		wantTop(t, e, explain.Explained, map[string]string{"country": "BR", "platform": "android"})
		if p := e.Contributors[0].Parent; p == nil || len(p.Segment) != 1 {
			t.Errorf("Parent = %+v, want the one-dimension segment it refines", p)
		}
	}
	flat := build(shop("hidden_rise_flat_total", func(v []string) float64 {
		switch v[0] {
		case "US":
			return 1.2
		case "DE": // DE is 1/√3 the size of US: this offsets US exactly
			return 1 - 0.2*math.Sqrt(3)
		}
		return 1
	}))
	flat.check = checkFlat
	mix := build(funnel("ratio_mix_shift", nil, func(v []string) float64 {
		return map[string]float64{"web": 0.6, "android": 1.8, "ios": 1}[v[0]]
	}))
	mix.check = checkMix
	rate := build(funnel("ratio_rate_drop", where(map[int]string{1: "BR"}, 0.5), nil))
	rate.check = func(t testing.TB, e *explain.Explanation) {
		wantTop(t, e, explain.Explained, map[string]string{"country": "BR"})
		if c := e.Contributors[0]; c.RatioParts == nil || math.Abs(c.RateEffect) < 10*math.Abs(c.MixEffect) {
			t.Errorf("country=BR: %+v, want mostly a rate effect", c.RatioParts)
		}
	}
	high := build(cubeSpec{name: "high_cardinality", dims: []string{"store", "country"},
		values: [][]string{names("s", 200), cubeCountries[:5]}, total: 40000, noise: 0.01, seed: 3,
		effect: where(map[int]string{0: "s17"}, 0.1)})
	high.Opts = explain.Options{TopK: 10}
	high.check = checkHigh
	return []*Cube{one, combo, flat, mix, rate, high}
}

func checkFlat(t testing.TB, e *explain.Explanation) {
	if e.Verdict != explain.Offsetting || e.ExplainedBy != 2 {
		t.Fatalf("Verdict %s by %d, want offsetting by 2 (sentence %q)", e.Verdict, e.ExplainedBy, e.Sentence)
	}
	up, down := e.Contributors[0], e.Contributors[1]
	if up.Share < 0 {
		up, down = down, up
	}
	if up.Segment["country"] != "US" || down.Segment["country"] != "DE" {
		t.Errorf("explaining segments %v and %v, want country US up and DE down", up.Segment, down.Segment)
	}
	near(t, "US share", up.Share, 0.5, 0.05)
	near(t, "DE share", down.Share, -0.5, 0.05)
}

func checkMix(t testing.TB, e *explain.Explanation) {
	if e.Verdict != explain.Explained {
		t.Fatalf("Verdict = %s, want explained (sentence %q)", e.Verdict, e.Sentence)
	}
	got := map[string]bool{}
	for _, c := range e.Contributors[:e.ExplainedBy] {
		got[c.Segment["platform"]] = true
	}
	if !got["web"] || !got["android"] || len(got) != 2 {
		t.Errorf("explaining platforms = %v, want web and android", got)
	}
	if e.Effects == nil || math.Abs(e.MixEffect) < 0.9*math.Abs(e.Delta) {
		t.Errorf("Effects = %+v, want the mix effect to carry the change %.5f", e.Effects, e.Delta)
	}
	if !strings.Contains(e.Sentence, "mix shift") {
		t.Errorf("sentence %q does not call it a mix shift", e.Sentence)
	}
}

func checkHigh(t testing.TB, e *explain.Explanation) {
	wantTop(t, e, explain.Explained, map[string]string{"store": "s17"})
	for _, b := range e.Breakdowns {
		if len(b.Dimensions) != 1 || b.Dimensions[0] != "store" {
			continue
		}
		other := slices.ContainsFunc(b.Segments, func(c explain.Contributor) bool { return c.Segment["store"] == explain.Other })
		if len(b.Segments) != 11 || !other {
			t.Errorf("store breakdown has %d segments (other among them: %v), want the top 10 and %q", len(b.Segments), other, explain.Other)
		}
	}
}

// Check checks an explanation of the cube: the scenario's own expectations,
// shares that add up to 1 in every breakdown (their absolute values when
// the change is offsetting), contributions that add up to the change, and
// the query budget.
func (c *Cube) Check(t testing.TB, e *explain.Explanation) {
	t.Helper()
	if c.check != nil {
		c.check(t, e)
	}
	for _, b := range e.Breakdowns {
		var sum, abs, delta float64
		for _, s := range b.Segments {
			sum, abs, delta = sum+s.Share, abs+math.Abs(s.Share), delta+s.Delta
		}
		name := strings.Join(b.Dimensions, ",")
		if e.Verdict == explain.Offsetting {
			sum = abs
		}
		near(t, "sum of shares by "+name, sum, 1, 1e-9)
		near(t, "sum of deltas by "+name, delta, e.Delta, 1e-9*math.Max(1, math.Abs(e.Expected)))
	}
	if e.Queries < 1 || e.Queries > explain.DefaultMaxQueries {
		t.Errorf("Queries = %d, want 1 to %d", e.Queries, explain.DefaultMaxQueries)
	}
	if len(e.Notes) > 0 {
		t.Errorf("Notes = %q, want none", e.Notes)
	}
}

func wantTop(t testing.TB, e *explain.Explanation, v explain.Verdict, seg map[string]string) {
	t.Helper()
	if e.Verdict != v || e.ExplainedBy < 1 {
		t.Fatalf("Verdict %s by %d, want %s (sentence %q)", e.Verdict, e.ExplainedBy, v, e.Sentence)
	}
	got := e.Contributors[0].Segment
	if len(got) != len(seg) {
		t.Fatalf("top segment %v, want %v (sentence %q)", got, seg, e.Sentence)
	}
	for k, w := range seg {
		if got[k] != w {
			t.Fatalf("top segment %v, want %v (sentence %q)", got, seg, e.Sentence)
		}
	}
}

func near(t testing.TB, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.6g, want %.6g ± %.2g", what, got, want, tol)
	}
}

// WantCells returns the cells a source must return for req over the cube,
// computed in Go from the rows: NULL values read as the empty string,
// values outside a Keep list as explain.Other, baselines averaged over the
// baseline buckets, and the result folded as explain.Fold does.
func (c *Cube) WantCells(req explain.Request) ([]explain.Cell, error) {
	ranges := append([]explain.Range{req.Current}, req.Baseline...)
	idx := map[string]int{}
	var cells []explain.Cell
	for g, dims := range req.Groups {
		for _, r := range c.Rows {
			p := slices.IndexFunc(ranges, func(rg explain.Range) bool { return !r.TS.Before(rg.From) && r.TS.Before(rg.To) })
			if p < 0 {
				continue
			}
			vals, err := c.values(r, dims, req.Keep)
			if err != nil {
				return nil, err
			}
			key := fmt.Sprint(g, vals)
			j, ok := idx[key]
			if !ok {
				j = len(cells)
				idx[key] = j
				cells = append(cells, explain.Cell{Group: g, Values: vals})
			}
			addRow(&cells[j], r, p == 0, c.Ratio)
		}
	}
	n := float64(len(req.Baseline))
	for i := range cells {
		cl := &cells[i]
		cl.Baseline, cl.BaselineNum, cl.BaselineDen = cl.Baseline/n, cl.BaselineNum/n, cl.BaselineDen/n
	}
	return explain.Fold(req, cells, c.Ratio)
}

func (c *Cube) values(r CubeRow, dims []string, keep map[string][]string) ([]string, error) {
	vals := make([]string, len(dims))
	for i, d := range dims {
		j := slices.Index(c.Dims, d)
		if j < 0 {
			return nil, fmt.Errorf("no dimension %q in cube %s", d, c.Name)
		}
		v := r.Values[j]
		if v == Null {
			v = ""
		}
		if k, ok := keep[d]; ok && !slices.Contains(k, v) {
			v = explain.Other
		}
		vals[i] = v
	}
	return vals, nil
}

func addRow(c *explain.Cell, r CubeRow, current, ratio bool) {
	switch {
	case ratio && current:
		c.CurrentNum, c.CurrentDen = c.CurrentNum+r.Orders, c.CurrentDen+r.Sessions
	case ratio:
		c.BaselineNum, c.BaselineDen = c.BaselineNum+r.Orders, c.BaselineDen+r.Sessions
	case current:
		c.Current += r.Amount
	default:
		c.Baseline += r.Amount
	}
}

// DiffCells describes how got differs from want, or returns "" when they
// hold the same cells (in any order) with numbers equal within a relative
// 1e-9.
func DiffCells(got, want []explain.Cell) string {
	key := func(c explain.Cell) string { return fmt.Sprintf("group %d %q", c.Group, c.Values) }
	wantBy := map[string]explain.Cell{}
	for _, c := range want {
		wantBy[key(c)] = c
	}
	var d []string
	for _, g := range got {
		w, ok := wantBy[key(g)]
		delete(wantBy, key(g))
		switch {
		case !ok:
			d = append(d, fmt.Sprintf("%s: unexpected cell %+v", key(g), g))
		case !sameCell(g, w):
			d = append(d, fmt.Sprintf("%s: got %+v, want %+v", key(g), g, w))
		}
	}
	for k, w := range wantBy {
		d = append(d, fmt.Sprintf("%s: missing cell %+v", k, w))
	}
	slices.Sort(d)
	return strings.Join(d, "\n")
}

func sameCell(a, b explain.Cell) bool {
	return Close(a.Current, b.Current) && Close(a.Baseline, b.Baseline) && Close(a.CurrentNum, b.CurrentNum) &&
		Close(a.CurrentDen, b.CurrentDen) && Close(a.BaselineNum, b.BaselineNum) && Close(a.BaselineDen, b.BaselineDen)
}
