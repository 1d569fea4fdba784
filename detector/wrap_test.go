package detector

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMute(t *testing.T) {
	// Hours 2 and 3 are muted; 1, 2, 3 and 5 breach.
	s := thresholdHourly(5, 11, 12, -4, 5, 20)
	muted := func(b time.Time) bool { h := b.Hour(); return h == 2 || h == 3 }
	inner, err := wrapBounds().Detect(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := Mute(wrapBounds(), muted).Detect(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	wrapSameVerdicts(t, wrapVerdicts(pts), map[int]string{
		1: "11 above the upper bound 10",
		2: "-muted (12 above the upper bound 10)",
		3: "-muted (−4 below the lower bound 0)",
		5: "20 above the upper bound 10",
	})
	for i, p := range pts {
		q := inner[i]
		if p.Score != q.Score || p.Z != q.Z || p.Direction != q.Direction || p.Expected != q.Expected || p.Lower != q.Lower || p.Upper != q.Upper {
			t.Errorf("point %d = %+v: muting changed the verdict's numbers %+v", i, p, q)
		}
	}
	if d := wrapBounds(); Mute(d, nil) != Detector(d) {
		t.Errorf("Mute(d, nil) is not d itself")
	}
}

func TestClean(t *testing.T) {
	// The reference of bucket i is the mean of the three buckets before it;
	// bucket 1 is an old incident.
	change := Change{Offset: 1, Periods: 3, Max: 5}
	s := thresholdHourly(10, 100, 10, 10, 10)
	incident := func(b time.Time) bool { return b.Equal(s.Time(1)) || b.Equal(s.Time(4)) }
	tests := []struct {
		name     string
		exclude  func(time.Time) bool
		from     int
		expected []float64 // of the judged points
		anomaly  []int
	}{
		{"no exclusions", nil, 2, []float64{55, 40, 40}, []int{2, 3, 4}},
		{"incident left out", incident, 2, []float64{10, 10, 10}, nil},
		{"latest only", incident, 4, []float64{10}, nil},
		// An excluded bucket is judged with its own value against the clean
		// history before it, and is left out of the history after it.
		{"judged incident", incident, 1, []float64{10, 10, 10, 10}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := slices.Clone(s.Values)
			pts, err := Clean(change, tt.exclude).Detect(s, tt.from)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Values, orig) {
				t.Fatalf("Detect changed the caller's values to %v", s.Values)
			}
			var got []float64
			for _, p := range pts {
				got = append(got, p.Expected)
				if p.Value != orig[p.Index] {
					t.Errorf("point %d value %v, want the data's %v", p.Index, p.Value, orig[p.Index])
				}
			}
			if !slices.Equal(got, tt.expected) {
				t.Errorf("expected values %v, want %v", got, tt.expected)
			}
			if a := thresholdAnomalies(pts); !thresholdSameInts(a, tt.anomaly) {
				t.Errorf("anomalies at %v, want %v", a, tt.anomaly)
			}
		})
	}
}

func TestCleanEdges(t *testing.T) {
	all := func(time.Time) bool { return true }
	_, err := Clean(wrapBounds(), all).Detect(thresholdHourly(1, 2), 3)
	if err == nil || !strings.Contains(err.Error(), "clean: from 3 is outside the series of 2 buckets") {
		t.Errorf("Detect(from 3) error %v, want one about from", err)
	}
	short := DetectorFunc(func(Series, int) ([]Point, error) { return []Point{{}}, nil })
	_, err = Clean(short, all).Detect(thresholdHourly(1, 2, 3), 1)
	if err == nil || !strings.Contains(err.Error(), "clean: the wrapped detector returned 1 points for 2 buckets") {
		t.Errorf("Detect(short detector) error %v, want one about the points", err)
	}
	// Bucket 1 is excluded and judged; on its own it has too little history
	// for a three-bucket offset, so it is not judged, as in the whole series.
	s := thresholdHourly(1, 50, 2, 3, 4, 70)
	d := Clean(Change{Offset: 3, Max: 5}, func(b time.Time) bool { return b.Equal(s.Time(1)) })
	pts, err := d.Detect(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p := pts[1]; p.Judged() || p.Value != 50 || p.Anomaly {
		t.Errorf("point 1 = %+v, want unjudged with its value 50", p)
	}
	// Bucket 4's reference is bucket 1, left out: not judged either.
	if p := pts[4]; p.Judged() || p.Anomaly {
		t.Errorf("point 4 = %+v, want unjudged: its reference is excluded", p)
	}
	if p := pts[5]; p.Expected != 2 || !p.Anomaly {
		t.Errorf("point 5 = %+v, want expected 2 and an anomaly", p)
	}
	thresholdCheckNoLookahead(t, d, s, 1)
}

func TestMissing(t *testing.T) {
	nan := math.NaN()
	change := Change{Offset: 1, Max: 5}
	tests := []struct {
		name   string
		step   time.Duration
		d      Detector
		values []float64
		alert  bool
		want   map[int]string
	}{
		{"alert", time.Hour, change, []float64{5, 5, nan}, true,
			map[int]string{2: "no data for this hour (expected about 5)"}},
		{"ignore", time.Hour, change, []float64{5, 5, nan}, false,
			map[int]string{2: "-no data for this hour (expected about 5); missing data does not alert"}},
		{"no expected value", 24 * time.Hour, wrapBounds(), []float64{5, nan, 5}, true,
			map[int]string{1: "no data for this day"}},
		{"quarter hour", 15 * time.Minute, change, []float64{5, nan, nan}, true,
			map[int]string{1: "no data for this 15-minute bucket (expected about 5)", 2: "no data for this 15-minute bucket"}},
		{"already an alert", time.Hour, Freshness{}, []float64{5, 5, nan}, true,
			map[int]string{2: "no data for the last hour (expected about 5 per hour)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Series{Start: thresholdT0, Step: tt.step, Values: tt.values}
			pts, err := Missing(tt.d, tt.alert).Detect(s, 1)
			if err != nil {
				t.Fatal(err)
			}
			wrapSameVerdicts(t, wrapVerdicts(pts), tt.want)
			for _, p := range pts {
				if p.Anomaly && (p.Direction != Down || p.Score < 0.5) {
					t.Errorf("point %d: direction %v score %v, want down and at least 0.5", p.Index, p.Direction, p.Score)
				}
			}
		})
	}
}

// wrapAll is every wrapper around a change detector, in the order the
// methods package builds them.
func wrapAll(n int, alert bool) Detector {
	night := func(b time.Time) bool { return b.Hour() < 2 }
	excluded := func(b time.Time) bool { return b.Hour() == 12 }
	var d Detector = Change{Offset: 24, Periods: 3, Median: true, Relative: true, Max: 0.3}
	d = Clean(d, excluded)
	d = Missing(d, alert)
	d = Consecutive(d, n)
	return Mute(d, night)
}

// TestWrappersNoLookahead checks that the composed wrappers judge each
// point as they would have with it as the latest point.
func TestWrappersNoLookahead(t *testing.T) {
	v := thresholdNoise(7, 24*14, 100, 5)
	for i := 24 * 8; i < 24*9; i++ {
		v[i] = 40 // a day-long outage, then gaps
	}
	for _, i := range []int{24*10 + 3, 24*10 + 4, 24*10 + 5, 24 * 12} {
		v[i] = math.NaN()
	}
	s := thresholdHourly(v...)
	for _, n := range []int{1, 3} {
		for _, alert := range []bool{false, true} {
			d := wrapAll(n, alert)
			thresholdCheckNoLookahead(t, d, s, 1)
			pts, err := d.Detect(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(thresholdAnomalies(pts)) == 0 {
				t.Fatalf("n=%d alert=%v: the outage raised no anomaly", n, alert)
			}
		}
	}
}

// TestWrapperOrder checks what the order Clean, method, Missing,
// Consecutive, Mute means: a muted breach still counts towards a run, and
// a missing bucket with alert is a breach of the run.
func TestWrapperOrder(t *testing.T) {
	nan := math.NaN()
	s := thresholdHourly(5, 11, 12, 13, 5, -1, nan, -2, 5)
	hour1 := func(b time.Time) bool { return b.Hour() == 1 || b.Hour() == 2 }
	d := Mute(Consecutive(Missing(wrapBounds(), true), 2), hour1)
	pts, err := d.Detect(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	wrapSameVerdicts(t, wrapVerdicts(pts), map[int]string{
		1: "-11 above the upper bound 10; 1 hour in a row of the 2 needed",
		2: "-muted (12 above the upper bound 10; 2 hours in a row)",
		3: "13 above the upper bound 10; 2 hours in a row",
		5: "-−1 below the lower bound 0; 1 hour in a row of the 2 needed",
		6: "no data for this hour; 2 hours in a row",
		7: "−2 below the lower bound 0; 2 hours in a row",
	})
}
