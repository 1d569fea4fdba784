package explain

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRatioDecomposition checks that mix and rate effects add up exactly to
// the change of the overall rate against the expected one, on random
// segments including empty and new ones.
func TestRatioDecomposition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(8)
		ks := make([]keyed, n)
		var tot raw
		for i := range ks {
			r := raw{n1: rng.Float64() * 50, d1: rng.Float64() * 1000, n0: rng.Float64() * 50, d0: rng.Float64() * 1000}
			switch rng.IntN(6) {
			case 0:
				r.n1, r.d1 = 0, 0 // gone
			case 1:
				r.n0, r.d0 = 0, 0 // new
			}
			ks[i] = keyed{values: []string{string(rune('a' + i))}, raw: r}
			tot = tot.plus(r)
		}
		if tot.d1 == 0 || tot.d0 == 0 {
			continue
		}
		expected := tot.n0 / tot.d0 * (0.5 + rng.Float64())
		g := newGroup([]string{"d"}, ks, true, expected)
		var mix, rate float64
		for _, s := range g.segs {
			if math.Abs(s.mix+s.rate-s.delta) > 1e-15 {
				t.Fatalf("trial %d: mix %g + rate %g != delta %g", trial, s.mix, s.rate, s.delta)
			}
			mix += s.mix
			rate += s.rate
		}
		want := tot.n1/tot.d1 - expected
		if math.Abs(mix+rate-want) > 1e-12 {
			t.Errorf("trial %d: mix %g + rate %g = %g, want R1 − E = %g", trial, mix, rate, mix+rate, want)
		}
	}
}

func TestPureEffects(t *testing.T) {
	tests := []struct {
		name         string
		ks           []keyed
		wantMix      bool // the change is all mix (else all rate)
		wantDecrease bool
	}{
		{
			name: "weight moves to the segment that converts worse",
			ks: []keyed{
				{values: []string{"a"}, raw: raw{n0: 50, d0: 500, n1: 30, d1: 300}},
				{values: []string{"b"}, raw: raw{n0: 10, d0: 500, n1: 14, d1: 700}},
			},
			wantMix: true, wantDecrease: true,
		},
		{
			name: "rate falls inside one segment",
			ks: []keyed{
				{values: []string{"a"}, raw: raw{n0: 50, d0: 500, n1: 25, d1: 500}},
				{values: []string{"b"}, raw: raw{n0: 10, d0: 500, n1: 10, d1: 500}},
			},
			wantDecrease: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGroup([]string{"d"}, tt.ks, true, 0.06)
			for _, s := range g.segs {
				other := s.rate
				if !tt.wantMix {
					other = s.mix
				}
				if math.Abs(other) > 1e-15 {
					t.Errorf("segment %s: mix %g rate %g, want only %s", s.values[0], s.mix, s.rate, map[bool]string{true: "mix", false: "rate"}[tt.wantMix])
				}
			}
			if (g.f.net < 0) != tt.wantDecrease {
				t.Errorf("net = %g, want decrease %v", g.f.net, tt.wantDecrease)
			}
		})
	}
}

func TestPlainScaling(t *testing.T) {
	ks := []keyed{
		{values: []string{"a"}, raw: raw{cur: 100, base: 200}},
		{values: []string{"b"}, raw: raw{cur: 300, base: 200}},
	}
	g := newGroup([]string{"d"}, ks, false, 500) // the detector expects more than the baseline mean
	if g.segs[0].expected != 250 || g.segs[1].expected != 250 {
		t.Errorf("expected = %g, %g; want the baseline scaled to 500: 250, 250", g.segs[0].expected, g.segs[1].expected)
	}
	if g.f.net != -100 {
		t.Errorf("net = %g, want 400 − 500", g.f.net)
	}
	// Segment a fell by 150 where an even spread of −100 gives it −50.
	if g.segs[0].x != -100 || g.segs[0].pi != 0.5 {
		t.Errorf("a: x %g, pi %g; want −100, 0.5", g.segs[0].x, g.segs[0].pi)
	}
}

func TestJSD(t *testing.T) {
	tests := []struct {
		name string
		p, q []float64
		want float64
	}{
		{"same", []float64{1, 2, 3}, []float64{2, 4, 6}, 0},
		{"disjoint", []float64{1, 0}, []float64{0, 1}, 1},
		{"half", []float64{1, 1}, []float64{1, 0}, 0.31127812445913283},
		{"negative counts as zero", []float64{-5, 1}, []float64{0, 1}, 0},
		{"no mass", []float64{0, 0}, []float64{1, 1}, 0},
		{"empty", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jsd(tt.p, tt.q); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("jsd(%v, %v) = %v, want %v", tt.p, tt.q, got, tt.want)
			}
		})
	}
}
