package explain_test

import (
	"context"
	"flag"
	"math"
	"strings"
	"testing"

	"vigil/detector/explain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	countries = []string{"US", "BR", "DE", "FR", "IN", "MX", "JP", "GB", "CA", "AU"}
	platforms = []string{"android", "ios", "web"}
	channels  = []string{"ads", "direct", "email", "social"}
)

// shop is a plain metric cube: orders by country, platform and channel.
func shop(effect func([]string) float64) spec {
	return spec{
		dims:  []string{"country", "platform", "channel"},
		names: [][]string{countries, platforms, channels},
		total: 40000, noise: 0.01, seed: 1, effect: effect,
	}
}

// funnel is a ratio cube: conversion (orders / sessions) by platform and
// country; platforms convert differently.
func funnel(effect, traffic func([]string) float64) spec {
	rates := map[string]float64{"web": 0.10, "android": 0.02, "ios": 0.05}
	return spec{
		dims:  []string{"platform", "country"},
		names: [][]string{{"web", "android", "ios"}, countries[:5]},
		total: 200000, noise: 0.01, seed: 2, ratio: true,
		rate:   func(v []string) float64 { return rates[v[0]] },
		effect: effect, traffic: traffic,
	}
}

type scenario struct {
	name   string
	spec   spec
	metric string
	unit   string
	opts   explain.Options
	fold   bool                    // the fetcher folds like a pushed-down query
	edit   func(in *explain.Input) // changes to the detector's input
	check  func(*testing.T, *explain.Explanation)
}

func scenarios() []scenario {
	return []scenario{
		{
			name: "one_value_drops", spec: shop(is(map[int]string{0: "BR"}, 0.3)), metric: "orders",
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Explained)
				wantTop(t, e, map[string]string{"country": "BR"}, nil)
				wantNear(t, "share of country=BR", e.Contributors[0].Share, 1, 0.05)
				if e.Dimensions[0].Name != "country" || e.Dimensions[0].ExplanatoryPower < 0.95 {
					t.Errorf("Dimensions[0] = %+v, want country with power near 1", e.Dimensions[0])
				}
				for _, d := range e.Dimensions[1:] {
					if d.Surprise >= e.Dimensions[0].Surprise {
						t.Errorf("dimension %s surprise %.4f >= country's %.4f", d.Name, d.Surprise, e.Dimensions[0].Surprise)
					}
				}
			},
		},
		{
			name: "one_value_drops_scale_unknown", spec: noiseless(shop(is(map[int]string{0: "BR"}, 0.3))), metric: "orders",
			edit: func(in *explain.Input) { in.Scale = 0 },
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Explained)
				wantTop(t, e, map[string]string{"country": "BR"}, nil)
				wantNear(t, "share of country=BR", e.Contributors[0].Share, 1, 1e-9)
			},
		},
		{
			name: "combination_drops", spec: shop(is(map[int]string{0: "BR", 1: "android"}, 0.2)), metric: "orders",
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Explained)
				c := e.Contributors[0]
				wantSegment(t, c.Segment, map[string]string{"country": "BR", "platform": "android"})
				if c.Parent == nil || len(c.Parent.Segment) != 1 {
					t.Fatalf("Parent = %+v, want the single-dimension segment it refines", c.Parent)
				}
				wantNear(t, "parent share", c.Parent.Share, 1, 0.05)
				for _, o := range e.Contributors[1:] {
					if o.Segment["country"] == "BR" && len(o.Segment) == 1 || o.Segment["platform"] == "android" && len(o.Segment) == 1 {
						t.Errorf("contributor %v repeats the reported combination's parent", o.Segment)
					}
				}
				if e.Queries != 2 {
					t.Errorf("Queries = %d, want 2 (dimensions, then the one pair that stands out)", e.Queries)
				}
			},
		},
		{
			name: "two_segments_one_confined", metric: "orders",
			spec: shop(func(v []string) float64 {
				switch {
				case v[0] == "BR" && v[1] == "android":
					return 0.2
				case v[0] == "MX":
					return 0.3
				}
				return 1
			}),
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Explained)
				if e.ExplainedBy != 2 {
					t.Fatalf("ExplainedBy = %d, want 2", e.ExplainedBy)
				}
				got := map[string]int{}
				for _, c := range e.Contributors[:2] {
					got[c.Segment["country"]] = len(c.Segment)
				}
				if got["BR"] != 2 || got["MX"] != 1 {
					t.Errorf("explaining segments = %v, want BR refined to a platform and MX alone", got)
				}
			},
		},
		{
			name: "three_way_combination_drops", spec: shop(is(map[int]string{0: "BR", 1: "android", 2: "email"}, 0.1)), metric: "orders",
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Explained)
				c := e.Contributors[0]
				wantSegment(t, c.Segment, map[string]string{"country": "BR", "platform": "android", "channel": "email"})
				if c.Parent == nil || len(c.Parent.Segment) != 1 {
					t.Errorf("Parent = %+v, want the single-dimension segment it refines", c.Parent)
				}
				if e.Queries != 3 {
					t.Errorf("Queries = %d, want 3 (one per level)", e.Queries)
				}
			},
		},
		{
			name: "hidden_rise_flat_total", metric: "orders",
			spec: shop(func(v []string) float64 {
				switch v[0] {
				case "US":
					return 1.2
				case "DE": // offsets US exactly: DE is 1/√3 the size of US
					return 1 - 0.2*math.Sqrt(3)
				}
				return 1
			}),
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Offsetting)
				if e.ExplainedBy != 2 {
					t.Fatalf("ExplainedBy = %d, want 2", e.ExplainedBy)
				}
				up, down := e.Contributors[0], e.Contributors[1]
				if up.Share < 0 {
					up, down = down, up
				}
				wantSegment(t, up.Segment, map[string]string{"country": "US"})
				wantSegment(t, down.Segment, map[string]string{"country": "DE"})
				// Flat: shares are of the gross movement, signed; |shares| add to 1.
				wantNear(t, "US share", up.Share, 0.5, 0.05)
				wantNear(t, "DE share", down.Share, -0.5, 0.05)
				for _, b := range e.Breakdowns {
					var abs float64
					for _, s := range b.Segments {
						abs += math.Abs(s.Share)
					}
					wantNear(t, "Σ|share| of "+strings.Join(b.Dimensions, ","), abs, 1, 1e-9)
				}
			},
		},
		{
			name: "ratio_mix_shift", metric: "conversion", unit: "%",
			spec: funnel(nil, func(v []string) float64 {
				return map[string]float64{"web": 0.6, "android": 1.8, "ios": 1}[v[0]]
			}),
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Explained)
				got := map[string]bool{}
				for _, c := range e.Contributors[:e.ExplainedBy] {
					got[c.Segment["platform"]] = true
					if math.Abs(c.MixEffect) < 10*math.Abs(c.RateEffect) {
						t.Errorf("%v: mix %.5f rate %.5f, want mostly mix", c.Segment, c.MixEffect, c.RateEffect)
					}
				}
				if !got["web"] || !got["android"] || len(got) != 2 {
					t.Errorf("explaining platforms = %v, want web and android", got)
				}
				if e.Effects == nil || math.Abs(e.MixEffect) < 0.9*math.Abs(e.Delta) {
					t.Errorf("Effects = %+v, want mix to carry the change %.5f", e.Effects, e.Delta)
				}
				wantContains(t, e.Sentence, "mostly a mix shift")
			},
		},
		{
			name: "ratio_rate_drop", metric: "conversion", unit: "%",
			spec: funnel(is(map[int]string{1: "BR"}, 0.5), nil),
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Explained)
				wantTop(t, e, map[string]string{"country": "BR"}, nil)
				c := e.Contributors[0]
				if math.Abs(c.RateEffect) < 10*math.Abs(c.MixEffect) {
					t.Errorf("BR: mix %.5f rate %.5f, want mostly rate", c.MixEffect, c.RateEffect)
				}
				wantNear(t, "BR expected rate vs actual", c.Actual/c.Expected, 0.5, 0.02)
				wantContains(t, e.Sentence, "mostly a change of rate")
			},
		},
		{
			name: "high_cardinality_top_k", metric: "orders", opts: explain.Options{TopK: 10},
			spec: spec{dims: []string{"store", "country"}, card: []int{200, 10}, total: 400000, noise: 0.01, seed: 3,
				effect: is(map[int]string{0: "s137"}, 0)},
			check: checkHighCardinality,
		},
		{
			name: "high_cardinality_folded_by_source", metric: "orders", opts: explain.Options{TopK: 10}, fold: true,
			spec: spec{dims: []string{"store", "country"}, card: []int{200, 10}, total: 400000, noise: 0.01, seed: 3,
				effect: is(map[int]string{0: "s137"}, 0)},
			check: checkHighCardinality,
		},
		{
			name: "broad_drop", spec: shop(func([]string) float64 { return 0.8 }), metric: "orders",
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Broad)
				wantLowPower(t, e)
			},
		},
		{
			name: "partial_spread_over_five", metric: "orders",
			spec: shop(func(v []string) float64 {
				if strings.Contains("US BR DE FR IN", v[0]) {
					return 0.7
				}
				return 1
			}),
			check: func(t *testing.T, e *explain.Explanation) {
				wantVerdict(t, e, explain.Partial)
				if e.ExplainedBy != 3 || e.ExplainedShare >= 0.8 {
					t.Errorf("ExplainedBy %d, share %.2f; want 3 segments short of 80%%", e.ExplainedBy, e.ExplainedShare)
				}
			},
		},
	}
}

func noiseless(sp spec) spec {
	sp.noise = 0
	return sp
}

func checkHighCardinality(t *testing.T, e *explain.Explanation) {
	wantVerdict(t, e, explain.Explained)
	wantTop(t, e, map[string]string{"store": "s137"}, nil)
	for _, b := range e.Breakdowns {
		if b.Dimensions[0] != "store" || len(b.Dimensions) != 1 {
			continue
		}
		if len(b.Segments) != 11 {
			t.Errorf("store breakdown has %d segments, want 10 and %q", len(b.Segments), explain.Other)
		}
		var other bool
		for _, s := range b.Segments {
			other = other || s.Segment["store"] == explain.Other
		}
		if !other {
			t.Errorf("store breakdown has no %q segment", explain.Other)
		}
	}
}

func TestExplain(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			e, f := run(t, sc)
			sc.check(t, e)
			wantSharesAddUp(t, e)
			if e.Queries != f.calls() || e.Queries > max(sc.opts.MaxQueries, explain.DefaultMaxQueries) {
				t.Errorf("Queries = %d, fetcher saw %d", e.Queries, f.calls())
			}
			golden(t, sc.name, e.Sentence+"\n\n"+e.Table(8))
		})
	}
}

func run(t *testing.T, sc scenario) (*explain.Explanation, *fetcher) {
	t.Helper()
	c := build(sc.spec)
	in := c.input(sc.metric)
	in.Unit = sc.unit
	if sc.edit != nil {
		sc.edit(&in)
	}
	f := &fetcher{c: c, fold: sc.fold}
	e, err := explain.Explain(context.Background(), f, in, sc.opts)
	if err != nil {
		t.Fatalf("Explain: %v", err)
	}
	for _, r := range f.reqs {
		if r.Current != explain.Bucket(in.At, in.Step, in.Loc) || len(r.Baseline) != len(in.Baseline) {
			t.Errorf("request ranges = %v, %v; want the bucket and %d baseline buckets", r.Current, r.Baseline, len(in.Baseline))
		}
	}
	return e, f
}
