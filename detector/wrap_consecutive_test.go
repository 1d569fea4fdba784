package detector

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// wrapBounds flags values outside [0, 10]: a detector whose anomalies the
// wrapper tests can read off the values.
func wrapBounds() Threshold {
	return Threshold{Lower: thresholdPtr(0), Upper: thresholdPtr(10)}
}

// wrapVerdicts maps the points to index → reason for anomalies, and index →
// "-" plus reason for the others, so one comparison covers both.
func wrapVerdicts(pts []Point) map[int]string {
	out := map[int]string{}
	for _, p := range pts {
		if p.Anomaly {
			out[p.Index] = p.Reason
		} else if p.Reason != "" {
			out[p.Index] = "-" + p.Reason
		}
	}
	return out
}

func wrapSameVerdicts(t *testing.T, got, want map[int]string) {
	t.Helper()
	for i, w := range want {
		if got[i] != w {
			t.Errorf("point %d: verdict %q, want %q", i, got[i], w)
		}
	}
	for i, g := range got {
		if _, ok := want[i]; !ok {
			t.Errorf("point %d: unexpected verdict %q", i, g)
		}
	}
}

func TestConsecutive(t *testing.T) {
	// Breaches: 1-2 up, 4-6 up, 7-9 down; 3 and 10 inside the band.
	values := []float64{0, 11, 12, 0, 11, 12, 13, -1, -2, -3, 5}
	tests := []struct {
		name string
		n    int
		step time.Duration
		want map[int]string
	}{
		{"three hours", 3, time.Hour, map[int]string{
			1: "-11 above the upper bound 10; 1 hour in a row of the 3 needed",
			2: "-12 above the upper bound 10; 2 hours in a row of the 3 needed",
			4: "-11 above the upper bound 10; 1 hour in a row of the 3 needed",
			5: "-12 above the upper bound 10; 2 hours in a row of the 3 needed",
			6: "13 above the upper bound 10; 3 hours in a row",
			// A run on the other side starts afresh.
			7: "-−1 below the lower bound 0; 1 hour in a row of the 3 needed",
			8: "-−2 below the lower bound 0; 2 hours in a row of the 3 needed",
			9: "−3 below the lower bound 0; 3 hours in a row",
		}},
		{"two days", 2, 24 * time.Hour, map[int]string{
			1: "-11 above the upper bound 10; 1 day in a row of the 2 needed",
			2: "12 above the upper bound 10; 2 days in a row",
			4: "-11 above the upper bound 10; 1 day in a row of the 2 needed",
			5: "12 above the upper bound 10; 2 days in a row",
			6: "13 above the upper bound 10; 2 days in a row",
			7: "-−1 below the lower bound 0; 1 day in a row of the 2 needed",
			8: "−2 below the lower bound 0; 2 days in a row",
			9: "−3 below the lower bound 0; 2 days in a row",
		}},
		{"quarter hours", 4, 15 * time.Minute, map[int]string{
			1: "-11 above the upper bound 10; 1 bucket of 15 minutes in a row of the 4 needed",
			2: "-12 above the upper bound 10; 2 buckets of 15 minutes in a row of the 4 needed",
			4: "-11 above the upper bound 10; 1 bucket of 15 minutes in a row of the 4 needed",
			5: "-12 above the upper bound 10; 2 buckets of 15 minutes in a row of the 4 needed",
			6: "-13 above the upper bound 10; 3 buckets of 15 minutes in a row of the 4 needed",
			7: "-−1 below the lower bound 0; 1 bucket of 15 minutes in a row of the 4 needed",
			8: "-−2 below the lower bound 0; 2 buckets of 15 minutes in a row of the 4 needed",
			9: "-−3 below the lower bound 0; 3 buckets of 15 minutes in a row of the 4 needed",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Series{Start: thresholdT0, Step: tt.step, Values: values}
			d := Consecutive(wrapBounds(), tt.n)
			inner, err := wrapBounds().Detect(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			for from := range len(values) + 1 {
				pts, err := d.Detect(s, from)
				if err != nil {
					t.Fatalf("Detect(from %d): %v", from, err)
				}
				want := map[int]string{}
				for i, r := range tt.want {
					if i >= from {
						want[i] = r
					}
				}
				wrapSameVerdicts(t, wrapVerdicts(pts), want)
				for _, p := range pts {
					q := inner[p.Index]
					if p.Score != q.Score || p.Z != q.Z || p.Direction != q.Direction || p.Lower != q.Lower || p.Upper != q.Upper {
						t.Fatalf("from %d, point %d = %+v: band or score differ from the method's %+v", from, p.Index, p, q)
					}
				}
			}
		})
	}
}

func TestConsecutiveOne(t *testing.T) {
	d := wrapBounds()
	if Consecutive(d, 1) != Detector(d) || Consecutive(d, 0) != Detector(d) {
		t.Errorf("Consecutive(d, 1 or 0) is not d itself")
	}
}

func TestConsecutiveErrors(t *testing.T) {
	s := thresholdHourly(11, 12, 13, 14)
	// needsHistory refuses to judge before bucket 2, as Auto refuses from 0.
	needsHistory := DetectorFunc(func(s Series, from int) ([]Point, error) {
		if from < 2 {
			return nil, ErrNotEnoughData
		}
		return wrapBounds().Detect(s, from)
	})
	tests := []struct {
		name string
		d    Detector
		from int
		want string         // error text, "" for none
		got  map[int]string // verdicts when no error
		is   error          // errors.Is target
	}{
		{"falls back to from", needsHistory, 3, "", map[int]string{3: "-14 above the upper bound 10; 2 hours in a row of the 3 needed"}, nil},
		{"no history at all", needsHistory, 1, "not enough data", nil, ErrNotEnoughData},
		{"from outside", wrapBounds(), 5, "consecutive: from 5 is outside the series of 4 buckets", nil, nil},
		{"points missing", DetectorFunc(func(Series, int) ([]Point, error) { return nil, nil }), 2,
			"consecutive: the wrapped detector returned 0 points for 4 buckets", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, err := Consecutive(tt.d, 3).Detect(s, tt.from)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Detect() error %v", err)
			case tt.want == "":
				wrapSameVerdicts(t, wrapVerdicts(pts), tt.got)
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Fatalf("Detect() error %v, want one containing %q", err, tt.want)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Fatalf("Detect() error %v is not %v", err, tt.is)
			}
		})
	}
}
