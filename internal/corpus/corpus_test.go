package corpus

import (
	"math"
	"reflect"
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	a, b := Generate(1), Generate(1)
	if !reflect.DeepEqual(names(a), names(b)) {
		t.Fatal("Generate(1) gave different cases twice")
	}
	for i := range a {
		if !sameValues(a[i].Series.Values, b[i].Series.Values) || !reflect.DeepEqual(a[i].Events, b[i].Events) {
			t.Fatalf("case %s differs between two Generate(1) calls", a[i].Name)
		}
	}
	c := Generate(2)
	same := 0
	for i := range a {
		if sameValues(a[i].Series.Values, c[i].Series.Values) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("Generate(1) and Generate(2) share %d identical series", same)
	}
}

func TestGenerateDesign(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		cases := Generate(seed)
		if len(cases) != 48 {
			t.Fatalf("Generate(%d) = %d cases, want 48", seed, len(cases))
		}
		kinds := map[Kind]int{}
		for _, c := range cases {
			checkCase(t, c)
			for _, e := range c.Events {
				kinds[e.Kind]++
			}
		}
		for _, k := range Kinds {
			if kinds[k] < 20 {
				t.Errorf("seed %d: %d %s events, want at least 20 of each kind", seed, kinds[k], k)
			}
		}
	}
}

// checkCase checks one case against the corpus' design.
func checkCase(t *testing.T, c Case) {
	t.Helper()
	s := c.Series
	if n := len(s.Values); n < 8*168 || n > 10*168 || n%168 != 0 {
		t.Errorf("%s: %d buckets, want 8 to 10 whole weeks", c.Name, n)
	}
	missing := 0
	for _, v := range s.Values {
		switch {
		case math.IsNaN(v):
			missing++
		case c.Profile.Scale == "ratio" && (v < 0 || v > 1):
			t.Fatalf("%s: ratio value %v outside [0,1]", c.Name, v)
		case c.Profile.Scale != "ratio" && (v < 0 || v != math.Round(v)):
			t.Fatalf("%s: count %v is negative or fractional", c.Name, v)
		}
	}
	if missing > len(s.Values)/20 {
		t.Errorf("%s: %d missing buckets, want under 5%%", c.Name, missing)
	}
	if len(c.Events) < 2 || len(c.Events) > 4 || len(c.Labels) != len(c.Events) {
		t.Fatalf("%s: %d events and %d labels, want 2 to 4 of each", c.Name, len(c.Events), len(c.Labels))
	}
	prevEnd := Warmup
	for i, e := range c.Events {
		if e.Start < prevEnd+1 || e.End < e.Start || e.End >= len(s.Values)-separation {
			t.Errorf("%s: event %d at %d..%d overlaps the warm-up, the previous event (ending %d) or the end", c.Name, i, e.Start, e.End, prevEnd)
		}
		if i > 0 && e.Start-prevEnd < separation {
			t.Errorf("%s: event %d starts %d buckets after the previous one, want %d", c.Name, i, e.Start-prevEnd, separation)
		}
		for j := e.Start - margin; j <= e.End+margin; j++ {
			if math.IsNaN(s.Values[j]) {
				t.Errorf("%s: bucket %d near event %d is missing", c.Name, j, i)
			}
		}
		if !c.Labels[i].Start.Equal(s.Time(e.Start)) || !c.Labels[i].End.Equal(s.Time(e.End)) {
			t.Errorf("%s: label %v does not match event %d..%d", c.Name, c.Labels[i], e.Start, e.End)
		}
		if e.Size == 0 {
			t.Errorf("%s: event %d has no size", c.Name, i)
		}
		prevEnd = e.End
	}
}

func names(cs []Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func sameValues(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}
