package explain_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris whatever the machine has

	"vigil/detector"
	"vigil/detector/explain"
)

func TestFold(t *testing.T) {
	// Six stores; the baseline doubles into the current bucket except for
	// store e, which collapses, and store f, which grows four-fold.
	cells := func() []explain.Cell {
		var cs []explain.Cell
		for i, s := range []string{"a", "b", "c", "d", "e", "f"} {
			base := float64(100 * (i + 1))
			cur := 2 * base
			switch s {
			case "e":
				cur = 0
			case "f":
				cur = 4 * base
			}
			cs = append(cs, explain.Cell{Group: 0, Values: []string{s}, Current: cur, Baseline: base})
		}
		return cs
	}
	tests := []struct {
		name string
		req  explain.Request
		in   []explain.Cell
		want string // "value:current/baseline" in order
	}{
		{
			name: "top k keeps the values that moved out of proportion",
			req:  explain.Request{Groups: [][]string{{"store"}}, TopK: 2},
			in:   cells(),
			want: "e:0/500 f:2400/600 (other):2000/1000",
		},
		{
			name: "keep lists the values to report",
			req:  explain.Request{Groups: [][]string{{"store"}}, Keep: map[string][]string{"store": {"a", "zz"}}},
			in:   cells(),
			want: "a:200/100 (other):4200/2000",
		},
		{
			name: "no limit keeps everything, merged and sorted",
			req:  explain.Request{Groups: [][]string{{"store"}}},
			in: []explain.Cell{
				{Values: []string{"b"}, Current: 1, Baseline: 1},
				{Values: []string{"a"}, Current: 2, Baseline: 1},
				{Values: []string{"b"}, Current: 3, Baseline: 1},
				{Values: []string{"c"}}, // empty: dropped
			},
			want: "a:2/1 b:4/2",
		},
		{
			name: "unusable numbers read as zero",
			req:  explain.Request{Groups: [][]string{{"store"}}},
			in: []explain.Cell{
				{Values: []string{"a"}, Current: math.NaN(), Baseline: 1},
				{Values: []string{"b"}, Current: math.Inf(1), Baseline: 2},
			},
			want: "a:0/1 b:0/2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := explain.Fold(tt.req, tt.in, false)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range out {
				got = append(got, fmt.Sprintf("%s:%g/%g", strings.Join(c.Values, ","), c.Current, c.Baseline))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("Fold = %s, want %s", g, tt.want)
			}
		})
	}
}

func TestFoldCombination(t *testing.T) {
	req := explain.Request{Groups: [][]string{{"country", "platform"}},
		Keep: map[string][]string{"country": {"BR"}, "platform": {"android"}}}
	var in []explain.Cell
	for _, c := range []string{"BR", "US"} {
		for _, p := range []string{"android", "ios", "web"} {
			in = append(in, explain.Cell{Values: []string{c, p}, Current: 1, Baseline: 1})
		}
	}
	out, err := explain.Fold(req, in, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range out {
		got = append(got, fmt.Sprintf("%s=%g", strings.Join(c.Values, "/"), c.Current))
	}
	want := "BR/android=1 BR/(other)=2 (other)/android=1 (other)/(other)=2"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("Fold = %s, want %s", g, want)
	}
}

func TestFoldErrors(t *testing.T) {
	req := explain.Request{Groups: [][]string{{"a"}}}
	for _, c := range []explain.Cell{{Group: 1, Values: []string{"x"}}, {Group: -1}, {Values: nil}} {
		if _, err := explain.Fold(req, []explain.Cell{c}, false); err == nil {
			t.Errorf("Fold(%+v) = nil error", c)
		}
	}
}

func TestSeasons(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Daily bucket on the Monday after the switch to summer time (31 March).
	at := time.Date(2024, 4, 1, 0, 0, 0, 0, paris)
	got := explain.Seasons(at, 24*time.Hour, 7*24*time.Hour, 2, paris)
	want := []explain.Range{
		{From: time.Date(2024, 3, 18, 0, 0, 0, 0, paris), To: time.Date(2024, 3, 19, 0, 0, 0, 0, paris)},
		{From: time.Date(2024, 3, 25, 0, 0, 0, 0, paris), To: time.Date(2024, 3, 26, 0, 0, 0, 0, paris)},
	}
	for i := range want {
		if i >= len(got) || !got[i].From.Equal(want[i].From) || !got[i].To.Equal(want[i].To) {
			t.Fatalf("Seasons = %v, want %v", got, want)
		}
	}
	// The bucket of the switch day is 23 hours long.
	b := explain.Bucket(time.Date(2024, 3, 31, 0, 0, 0, 0, paris), 24*time.Hour, paris)
	if d := b.To.Sub(b.From); d != 23*time.Hour {
		t.Errorf("Bucket(31 March) spans %v, want 23h", d)
	}
	h := explain.Seasons(at, time.Hour, 24*time.Hour, 1, nil)
	if len(h) != 1 || h[0].To.Sub(h[0].From) != time.Hour || !h[0].From.Equal(at.Add(-24*time.Hour)) {
		t.Errorf("hourly Seasons = %v", h)
	}
}

func TestScaleOf(t *testing.T) {
	var g detector.Guards
	p := detector.Point{Value: 3210}
	g.JudgeScale(&p, 4400, 100, 4400)
	if s := explain.ScaleOf(p, detector.ThresholdMedium); math.Abs(s-100) > 1e-9 {
		t.Errorf("ScaleOf = %v, want the scale the band was built with, 100", s)
	}
	p.Upper = math.Inf(1)
	if s := explain.ScaleOf(p, detector.ThresholdMedium); s != 0 {
		t.Errorf("ScaleOf(open band) = %v, want 0", s)
	}
}
