package explain_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"vigil/detector/explain"
)

// cube is a synthetic fact table at its finest grain: one leaf per
// combination of dimension values, with the metric at the baseline and in
// the current bucket. Breakdowns are aggregated from the leaves in Go, so
// every answer is consistent across groups, as a warehouse's would be.
type cube struct {
	dims   []string
	values [][]string
	leaves []leaf
	ratio  bool
	scale  float64 // standard deviation of the total's noise
}

type leaf struct {
	values         []string
	cur, base      float64
	n1, d1, n0, d0 float64
}

// spec describes a cube: dimensions with their values and weights (volume
// shares), a base volume, and how the current bucket differs.
type spec struct {
	dims    []string
	card    []int      // values per dimension, named like "d0", "d1"... unless names set
	names   [][]string // optional value names per dimension
	total   float64    // baseline volume (plain) or denominator (ratio)
	noise   float64    // relative noise on each current leaf
	seed    uint64
	ratio   bool
	rate    func(v []string) float64 // ratio: baseline rate of a leaf
	effect  func(v []string) float64 // current = base × effect (plain) or rate × effect (ratio)
	traffic func(v []string) float64 // ratio: denominator now = before × traffic
}

func build(sp spec) *cube {
	c := &cube{dims: sp.dims, ratio: sp.ratio}
	weights := make([][]float64, len(sp.dims))
	for i := range sp.dims {
		names := valueNames(sp, i)
		c.values = append(c.values, names)
		// Zipf-like volume shares so that values differ in size.
		var sum float64
		for j := range names {
			weights[i] = append(weights[i], 1/math.Sqrt(float64(j+1)))
			sum += weights[i][j]
		}
		for j := range weights[i] {
			weights[i][j] /= sum
		}
	}
	rng := rand.New(rand.NewPCG(sp.seed, 7))
	var variance float64
	for _, idx := range product(c.values) {
		v := make([]string, len(idx))
		vol := sp.total
		for i, j := range idx {
			v[i] = c.values[i][j]
			vol *= weights[i][j]
		}
		l := leaf{values: v}
		eff := one(sp.effect, v)
		noise := 1 + sp.noise*rng.NormFloat64()
		if sp.ratio {
			r := sp.rate(v)
			l.d0, l.n0 = vol, vol*r
			l.d1 = vol * one(sp.traffic, v)
			l.n1 = l.d1 * r * eff * noise
			variance += math.Pow(sp.noise*l.d1*r*eff, 2)
		} else {
			l.base = vol
			l.cur = vol * eff * noise
			variance += math.Pow(sp.noise*vol*eff, 2)
		}
		c.leaves = append(c.leaves, l)
	}
	c.scale = math.Sqrt(variance)
	if sp.ratio {
		var d1 float64
		for _, l := range c.leaves {
			d1 += l.d1
		}
		c.scale /= d1
	}
	return c
}

func valueNames(sp spec, i int) []string {
	if sp.names != nil && sp.names[i] != nil {
		return sp.names[i]
	}
	out := make([]string, sp.card[i])
	for j := range out {
		out[j] = fmt.Sprintf("%s%d", sp.dims[i][:1], j)
	}
	return out
}

func one(f func([]string) float64, v []string) float64 {
	if f == nil {
		return 1
	}
	return f(v)
}

// product lists every combination of value indices.
func product(values [][]string) [][]int {
	out := [][]int{nil}
	for _, vs := range values {
		var next [][]int
		for _, p := range out {
			for j := range vs {
				next = append(next, append(slices.Clone(p), j))
			}
		}
		out = next
	}
	return out
}

// totals returns the metric's actual and baseline values.
func (c *cube) totals() (actual, expected float64) {
	var t leaf
	for _, l := range c.leaves {
		t.cur, t.base = t.cur+l.cur, t.base+l.base
		t.n1, t.d1, t.n0, t.d0 = t.n1+l.n1, t.d1+l.d1, t.n0+l.n0, t.d0+l.d0
	}
	if c.ratio {
		return t.n1 / t.d1, t.n0 / t.d0
	}
	return t.cur, t.base
}

var at = time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)

// input is what the detector would hand over for this cube.
func (c *cube) input(metric string) explain.Input {
	a, e := c.totals()
	return explain.Input{
		Metric: metric, At: at, Step: time.Hour, Actual: a, Expected: e, Scale: c.scale,
		Dimensions: c.dims, Ratio: c.ratio, Baseline: explain.Seasons(at, time.Hour, 7*24*time.Hour, 4, nil),
	}
}

// fetcher answers breakdowns from a cube. It folds the cells itself when
// fold is set, like a source that pushes TopK and Keep down into SQL, and
// otherwise returns every value.
type fetcher struct {
	c     *cube
	fold  bool
	mu    sync.Mutex
	reqs  []explain.Request
	block int // calls from this one on wait for the context to end
}

func (f *fetcher) Breakdown(ctx context.Context, req explain.Request) ([]explain.Cell, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	n := len(f.reqs)
	f.mu.Unlock()
	if f.block > 0 && n >= f.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	var cells []explain.Cell
	for g, dims := range req.Groups {
		pos := make([]int, len(dims))
		for i, d := range dims {
			pos[i] = slices.Index(f.c.dims, d)
			if pos[i] < 0 {
				return nil, fmt.Errorf("no dimension %q", d)
			}
		}
		idx := map[string]int{}
		for _, l := range f.c.leaves {
			vals := make([]string, len(dims))
			for i, p := range pos {
				vals[i] = l.values[p]
			}
			key := strings.Join(vals, "\x00")
			j, ok := idx[key]
			if !ok {
				j = len(cells)
				idx[key] = j
				cells = append(cells, explain.Cell{Group: g, Values: vals})
			}
			c := &cells[j]
			c.Current += l.cur
			c.Baseline += l.base
			c.CurrentNum += l.n1
			c.CurrentDen += l.d1
			c.BaselineNum += l.n0
			c.BaselineDen += l.d0
		}
	}
	if f.fold {
		return explain.Fold(req, cells, f.c.ratio)
	}
	return cells, nil
}

func (f *fetcher) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// is returns an effect function that multiplies the leaves matching all the
// given dimension=value conditions by factor.
func is(c map[int]string, factor float64) func([]string) float64 {
	return func(v []string) float64 {
		for i, want := range c {
			if v[i] != want {
				return 1
			}
		}
		return factor
	}
}
