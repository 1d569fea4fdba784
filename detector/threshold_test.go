package detector

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestThresholdDetect(t *testing.T) {
	nan := thresholdNaN
	tests := []struct {
		name      string
		th        Threshold
		s         Series
		from      int
		anomalies []int
		dirs      []Direction // direction of each anomaly, in order
	}{
		{
			name:      "upper bound, equal is fine",
			th:        Threshold{Upper: thresholdPtr(100)},
			s:         thresholdHourly(50, 150, 100, 100.001),
			anomalies: []int{1, 3},
			dirs:      []Direction{Up, Up},
		},
		{
			name:      "lower bound",
			th:        Threshold{Lower: thresholdPtr(10)},
			s:         thresholdHourly(9, 10, 11, -5),
			anomalies: []int{0, 3},
			dirs:      []Direction{Down, Down},
		},
		{
			name:      "both bounds",
			th:        Threshold{Lower: thresholdPtr(0), Upper: thresholdPtr(1)},
			s:         thresholdHourly(0.5, -0.1, 1.1, 0, 1),
			anomalies: []int{1, 2},
			dirs:      []Direction{Down, Up},
		},
		{
			name:      "gaps are not judged",
			th:        Threshold{Upper: thresholdPtr(1)},
			s:         thresholdHourly(nan, 2, nan, nan),
			anomalies: []int{1},
			dirs:      []Direction{Up},
		},
		{
			name:      "direction down ignores breaches up",
			th:        Threshold{Lower: thresholdPtr(0), Upper: thresholdPtr(1), Guards: Guards{Direction: Down}},
			s:         thresholdHourly(2, -1, 3),
			anomalies: []int{1},
			dirs:      []Direction{Down},
		},
		{
			name:      "direction up ignores breaches down",
			th:        Threshold{Lower: thresholdPtr(0), Upper: thresholdPtr(1), Guards: Guards{Direction: Up}},
			s:         thresholdHourly(2, -1, 3),
			anomalies: []int{0, 2},
			dirs:      []Direction{Up, Up},
		},
		{
			name:      "min delta counts from the bound",
			th:        Threshold{Upper: thresholdPtr(100), Guards: Guards{MinDelta: 10}},
			s:         thresholdHourly(105, 110, 200),
			anomalies: []int{1, 2},
			dirs:      []Direction{Up, Up},
		},
		{
			name:      "min relative delta is a share of the bound",
			th:        Threshold{Lower: thresholdPtr(200), Guards: Guards{MinRelDelta: 0.1}},
			s:         thresholdHourly(190, 179, 181),
			anomalies: []int{1},
			dirs:      []Direction{Down},
		},
		{
			name: "min volume uses the weight",
			th:   Threshold{Upper: thresholdPtr(0.05), Guards: Guards{MinVolume: 100}},
			s: Series{Start: thresholdT0, Step: time.Hour, Values: []float64{0.5, 0.5, 0.01},
				Weight: []float64{10, 1000, 1000}},
			anomalies: []int{1},
			dirs:      []Direction{Up},
		},
		{
			name:      "from skips earlier points",
			th:        Threshold{Upper: thresholdPtr(1)},
			s:         thresholdHourly(5, 5, 0, 5),
			from:      2,
			anomalies: []int{3},
			dirs:      []Direction{Up},
		},
		{
			name: "constant series inside the band",
			th:   Threshold{Lower: thresholdPtr(1), Upper: thresholdPtr(3)},
			s:    thresholdHourly(2, 2, 2, 2, 2),
		},
		{
			name:      "single point",
			th:        Threshold{Upper: thresholdPtr(3)},
			s:         thresholdHourly(4),
			anomalies: []int{0},
			dirs:      []Direction{Up},
		},
		{
			name:      "huge magnitudes",
			th:        Threshold{Lower: thresholdPtr(1e12), Upper: thresholdPtr(2e12)},
			s:         thresholdHourly(1.5e12, 0.9e12, 2.1e12, 2e12),
			anomalies: []int{1, 2},
			dirs:      []Direction{Down, Up},
		},
		{
			name:      "tiny magnitudes",
			th:        Threshold{Lower: thresholdPtr(1e-9), Upper: thresholdPtr(3e-9)},
			s:         thresholdHourly(2e-9, 0.5e-9, 3.5e-9, 1e-9),
			anomalies: []int{1, 2},
			dirs:      []Direction{Down, Up},
		},
		{
			name:      "band of zero width",
			th:        Threshold{Lower: thresholdPtr(0), Upper: thresholdPtr(0)},
			s:         thresholdHourly(0, 1e-12, -3),
			anomalies: []int{1, 2},
			dirs:      []Direction{Up, Down},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, err := tt.th.Detect(tt.s, tt.from)
			if err != nil {
				t.Fatalf("Detect error: %v", err)
			}
			thresholdCheckPoints(t, tt.s, tt.from, pts)
			got := thresholdAnomalies(pts)
			if !thresholdSameInts(got, tt.anomalies) {
				t.Fatalf("Detect anomalies = %v, want %v", got, tt.anomalies)
			}
			for k, i := range got {
				if d := pts[i-tt.from].Direction; d != tt.dirs[k] {
					t.Errorf("point %d direction = %v, want %v", i, d, tt.dirs[k])
				}
			}
			thresholdCheckNoLookahead(t, tt.th, tt.s, 1)
		})
	}
}

func TestThresholdPointFields(t *testing.T) {
	th := Threshold{Lower: thresholdPtr(10), Upper: thresholdPtr(100)}
	pts, err := th.Detect(thresholdHourly(50, 120, 5, thresholdNaN), 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		p        Point
		expected float64
		reason   string
	}{
		{"inside", pts[0], 50, ""},
		{"above", pts[1], 100, "120 above the upper bound 100"},
		{"below", pts[2], 10, "5 below the lower bound 10"},
		{"missing", pts[3], thresholdNaN, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !(tt.p.Expected == tt.expected || math.IsNaN(tt.p.Expected) && math.IsNaN(tt.expected)) {
				t.Errorf("Expected = %v, want %v", tt.p.Expected, tt.expected)
			}
			if tt.p.Reason != tt.reason {
				t.Errorf("Reason = %q, want %q", tt.p.Reason, tt.reason)
			}
			if tt.p.Lower != 10 || tt.p.Upper != 100 {
				t.Errorf("band = [%v, %v], want [10, 100]", tt.p.Lower, tt.p.Upper)
			}
		})
	}
	if want := thresholdT0.Add(2 * time.Hour); !pts[2].Time.Equal(want) {
		t.Errorf("point 2 time = %v, want %v", pts[2].Time, want)
	}
	if pts[0].Score != 0 || pts[1].Score < 0.5 || pts[2].Score < 0.5 {
		t.Errorf("scores = %v %v %v, want 0, >= 0.5, >= 0.5", pts[0].Score, pts[1].Score, pts[2].Score)
	}
}

// A breach of the same relative size scores the same at any magnitude, and a
// larger breach scores higher.
func TestThresholdScoreScale(t *testing.T) {
	score := func(bound, value float64) float64 {
		pts, err := Threshold{Upper: thresholdPtr(bound)}.Detect(thresholdHourly(value), 0)
		if err != nil {
			t.Fatal(err)
		}
		return pts[0].Score
	}
	small, mid, big := score(1e-9, 1.2e-9), score(100, 120), score(1e12, 1.2e12)
	if math.Abs(small-mid) > 1e-9 || math.Abs(big-mid) > 1e-9 {
		t.Errorf("scores of a 20%% breach = %v, %v, %v; want equal", small, mid, big)
	}
	if far := score(100, 300); far <= mid {
		t.Errorf("score of a 200%% breach %v <= score of a 20%% breach %v", far, mid)
	}
}

func TestThresholdErrors(t *testing.T) {
	ok := thresholdHourly(1, 2, 3)
	tests := []struct {
		name string
		th   Threshold
		s    Series
		from int
		want string
	}{
		{"no bounds", Threshold{}, ok, 0, "set a lower bound"},
		{"NaN bound", Threshold{Upper: thresholdPtr(math.NaN())}, ok, 0, "upper bound must be a finite"},
		{"infinite bound", Threshold{Lower: thresholdPtr(math.Inf(-1))}, ok, 0, "lower bound must be a finite"},
		{"crossed bounds", Threshold{Lower: thresholdPtr(2), Upper: thresholdPtr(1)}, ok, 0, "lower bound 2 is above upper bound 1"},
		{"negative min delta", Threshold{Upper: thresholdPtr(1), Guards: Guards{MinDelta: -1}}, ok, 0, "min delta must be"},
		{"NaN threshold", Threshold{Upper: thresholdPtr(1), Guards: Guards{Threshold: math.NaN()}}, ok, 0, "threshold must be"},
		{"bad direction", Threshold{Upper: thresholdPtr(1), Guards: Guards{Direction: 9}}, ok, 0, "unknown direction"},
		{"from past the end", Threshold{Upper: thresholdPtr(1)}, ok, 4, "from 4 is outside"},
		{"negative from", Threshold{Upper: thresholdPtr(1)}, ok, -1, "from -1 is outside"},
		{"zero step", Threshold{Upper: thresholdPtr(1)}, Series{Values: []float64{1}}, 0, "step 0s is not positive"},
		{"weights mismatch", Threshold{Upper: thresholdPtr(1)},
			Series{Step: time.Hour, Values: []float64{1, 2}, Weight: []float64{1}}, 0, "1 weights for 2 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.th.Detect(tt.s, tt.from)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Detect error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := NewThreshold(Threshold{}); err == nil {
		t.Error("NewThreshold(no bounds) error = nil, want an error")
	}
	_, err := Threshold{Upper: thresholdPtr(1)}.Detect(thresholdHourly(), 0)
	if !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("Detect(empty) error = %v, want ErrNotEnoughData", err)
	}
	pts, err := Threshold{Upper: thresholdPtr(1)}.Detect(ok, 3)
	if err != nil || len(pts) != 0 {
		t.Errorf("Detect(from = len) = %v, %v; want no points and no error", pts, err)
	}
}

func TestNewThresholdOwnsBounds(t *testing.T) {
	hi := 10.0
	th, err := NewThreshold(Threshold{Upper: &hi})
	if err != nil {
		t.Fatal(err)
	}
	hi = 1
	pts, err := th.Detect(thresholdHourly(5), 0)
	if err != nil {
		t.Fatal(err)
	}
	if pts[0].Anomaly {
		t.Error("changing the caller's variable moved the bound of a built Threshold")
	}
}

func FuzzThreshold(f *testing.F) {
	f.Add(thresholdFuzzBytes(1, 2, 3, math.NaN(), 1e12, -1e-9), 0.0, 2.0, true, true, 0, uint8(0))
	f.Add(thresholdFuzzBytes(math.Inf(1), math.Inf(-1), 0), -1e300, 1e300, true, false, 1, uint8(2))
	f.Add([]byte{}, 0.0, 0.0, false, true, 0, uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, lo, hi float64, hasLo, hasHi bool, from int, dir uint8) {
		s := thresholdFuzzSeries(b)
		th := Threshold{Guards: Guards{Direction: Direction(dir % 4)}}
		if hasLo {
			th.Lower = &lo
		}
		if hasHi {
			th.Upper = &hi
		}
		from = thresholdFuzzFrom(s, from)
		pts, err := th.Detect(s, from)
		if err != nil {
			return
		}
		thresholdCheckPoints(t, s, from, pts)
	})
}

func ExampleThreshold() {
	lower, upper := 100.0, 500.0
	th, err := NewThreshold(Threshold{Lower: &lower, Upper: &upper})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := Series{
		Start:  time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		Step:   time.Hour,
		Values: []float64{320, 80, math.NaN(), 740},
	}
	pts, err := th.Detect(s, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pts {
		line := fmt.Sprintf("%s %v", p.Time.Format("15:04"), p.Value)
		if p.Anomaly {
			line += ": " + p.Reason
		}
		fmt.Println(line)
	}
	// Output:
	// 10:00 320
	// 11:00 80: 80 below the lower bound 100
	// 12:00 NaN
	// 13:00 740: 740 above the upper bound 500
}

// Threshold, Change, CUSUM and Freshness are safe for concurrent use: the
// same detector judging the same series from several goroutines gives the
// serial verdicts (run with -race to check for data races too).
func TestThresholdMethodsConcurrent(t *testing.T) {
	s := thresholdBenchValues(3, 600)
	detectors := []Detector{
		Threshold{Lower: thresholdPtr(700), Upper: thresholdPtr(1300)},
		Change{Offset: 24, Relative: true, Max: 0.2},
		CUSUM{Period: 24},
		Freshness{},
	}
	for _, d := range detectors {
		want, err := d.Detect(s, 0)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				got, err := d.Detect(s, 0)
				switch {
				case err != nil:
					errs <- err
				case len(got) != len(want):
					errs <- fmt.Errorf("%T: %d points concurrently, %d serially", d, len(got), len(want))
				default:
					for i := range got {
						if !thresholdSamePoint(got[i], want[i]) {
							errs <- fmt.Errorf("%T: point %d differs concurrently", d, i)
							return
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}
