package backtest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/detector"
)

// trailing is a small test method: the mean and standard deviation of the
// last n observed points before each point.
func trailing(n int) detector.Detector {
	return detector.DetectorFunc(func(s detector.Series, from int) ([]detector.Point, error) {
		pts := make([]detector.Point, 0, len(s.Values)-from)
		for i := from; i < len(s.Values); i++ {
			p := detector.Point{Index: i, Time: s.Time(i), Value: s.Values[i], Expected: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
			var w []float64
			for j := i - 1; j >= 0 && len(w) < n; j-- {
				if !math.IsNaN(s.Values[j]) {
					w = append(w, s.Values[j])
				}
			}
			if len(w) == n {
				m, sd := meanSD(w)
				detector.Guards{Threshold: 3}.JudgeScale(&p, m, sd, 1)
			}
			pts = append(pts, p)
		}
		return pts, nil
	})
}

// centred cheats: it judges each point against its neighbours on both
// sides, so its verdicts change when later points are cut off.
func centred(s detector.Series, from int) ([]detector.Point, error) {
	pts := make([]detector.Point, 0, len(s.Values)-from)
	for i := from; i < len(s.Values); i++ {
		p := detector.Point{Index: i, Value: s.Values[i]}
		var w []float64
		for j := max(0, i-3); j < min(len(s.Values), i+4); j++ {
			if j != i && !math.IsNaN(s.Values[j]) {
				w = append(w, s.Values[j])
			}
		}
		m, sd := meanSD(w)
		detector.Guards{Threshold: 3}.JudgeScale(&p, m, sd, 1)
		pts = append(pts, p)
	}
	return pts, nil
}

func meanSD(w []float64) (m, sd float64) {
	for _, x := range w {
		m += x
	}
	m /= float64(len(w))
	for _, x := range w {
		sd += (x - m) * (x - m)
	}
	return m, math.Sqrt(sd / float64(max(1, len(w)-1)))
}

func TestRun(t *testing.T) {
	in, err := ReadCSV(strings.NewReader("timestamp,value\n" +
		"2024-03-01T03:00:00Z,10\n" + // unsorted: judged in time order
		"2024-03-01T00:00:00Z,10\n" +
		"2024-03-01T01:00:00Z,11\n" +
		"2024-03-01T02:00:00Z,9\n" +
		"2024-03-01T04:00:00Z,\n" +
		"2024-03-01T05:00:00Z,50\n" +
		"2024-03-01T06:00:00Z,10\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Run(trailing(3), in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s judged=%v anomaly=%v", r.Timestamp[11:16], r.Judged(), r.Anomaly))
	}
	want := []string{
		"03:00 judged=true anomaly=false",
		"00:00 judged=false anomaly=false",
		"01:00 judged=false anomaly=false",
		"02:00 judged=false anomaly=false",
		"04:00 judged=true anomaly=false", // missing: judged, never anomalous
		"05:00 judged=true anomaly=true",
		"06:00 judged=true anomaly=false", // against 9, 10 and 50
	}
	if !slices.Equal(got, want) {
		t.Errorf("Run =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := rows[4]; r.Score != 0 || r.Expected != 10 {
		t.Errorf("missing row: score %v expected %v, want 0 and 10", r.Score, r.Expected)
	}
	if r := rows[1]; !math.IsNaN(r.Expected) || !math.IsNaN(r.Lower) || r.Score != 0 {
		t.Errorf("unjudged row = %+v, want NaN estimate and score 0", r)
	}
	if r := rows[5]; r.Direction != detector.Up || r.Reason == "" || r.Score <= 0.5 || r.Score > 1 {
		t.Errorf("spike row = %+v, want up, a reason and a score in (0.5, 1]", r)
	}
}

func TestRunErrors(t *testing.T) {
	in := FromSeries(hourly(1, 2, 3, 4))
	fail := errors.New("boom")
	for _, tc := range []struct {
		name string
		d    detector.DetectorFunc
		from int
		want string // "" for no error
	}{
		{"not enough data leaves rows unjudged", func(detector.Series, int) ([]detector.Point, error) {
			return nil, fmt.Errorf("stl: %w", detector.ErrNotEnoughData)
		}, 0, ""},
		{"other errors stop", func(detector.Series, int) ([]detector.Point, error) { return nil, fail }, 0, "boom"},
		{"wrong length", func(detector.Series, int) ([]detector.Point, error) { return make([]detector.Point, 1), nil }, 0, "returned 1 points for 4 buckets"},
		{"from outside", nil, 5, "from 5 is outside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := RunFrom(tc.d, in, tc.from)
			if tc.want == "" {
				if err != nil || len(rows) != 4 || slices.ContainsFunc(rows, Row.Judged) {
					t.Errorf("RunFrom = %v, %v; want 4 unjudged rows", rows, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("RunFrom error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRunFromWarmup(t *testing.T) {
	in := FromSeries(hourly(1, 2, 1, 2, 1, 2, 1, 2))
	rows, err := RunFrom(trailing(2), in, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if r.Judged() != (i >= 5) {
			t.Errorf("row %d judged = %v, want %v", i, r.Judged(), i >= 5)
		}
	}
}

// TestRunSharedBucket: rows that share a bucket are each judged on their own
// value against the same history; the series keeps the later one.
func TestRunSharedBucket(t *testing.T) {
	csv := "timestamp,value\n2024-03-01T00:00:00Z,10\n2024-03-01T01:00:00Z,11\n2024-03-01T02:00:00Z,9\n" +
		"2024-03-01T03:20:00Z,%s\n2024-03-01T02:50:00Z,%s\n2024-03-01T04:00:00Z,10\n"
	for _, tc := range []struct {
		name          string
		later, sooner string
		want          [2]bool // anomaly of the later and the sooner row
	}{
		{"later spikes", "60", "10", [2]bool{true, false}},
		{"sooner spikes", "10", "60", [2]bool{false, true}},
		{"sooner missing", "60", "", [2]bool{true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Options{Granularity: time.Hour}.ReadCSV(strings.NewReader(fmt.Sprintf(csv, tc.later, tc.sooner)))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := Run(trailing(3), in)
			if err != nil {
				t.Fatal(err)
			}
			if got := [2]bool{rows[3].Anomaly, rows[4].Anomaly}; got != tc.want {
				t.Errorf("anomalies of the bucket's rows = %v, want %v", got, tc.want)
			}
			if rows[3].Expected != 10 || rows[4].Expected != 10 {
				t.Errorf("expected = %v and %v, want both 10 (same history)", rows[3].Expected, rows[4].Expected)
			}
			if v, _ := ParseValue(tc.later); in.Series.Values[3] != v {
				t.Errorf("series bucket 3 = %v, want the later row's %v", in.Series.Values[3], v)
			}
		})
	}
}

// TestRunNoLookahead cuts the input after many rows and checks that every
// row's verdict is the same with and without the rows after the cut.
func TestRunNoLookahead(t *testing.T) {
	recs := noisyDaily(24*7*4, 7)
	for _, tc := range []struct {
		name string
		d    detector.Detector
	}{
		{"trailing mean", trailing(12)},
		{"stl", detector.STL{Period: 24}},
		{"stl refit 7", detector.STL{Period: 24, Refit: 7}},
		{"holt-winters", detector.HoltWinters{Period: 24}},
		{"holt-winters refit 30", detector.HoltWinters{Period: 24, Window: 24 * 5, Refit: 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := lookahead(tc.d, recs, time.Hour); diff != "" {
				t.Error(diff)
			}
		})
	}
	t.Run("catches a method that looks ahead", func(t *testing.T) {
		if diff := lookahead(detector.DetectorFunc(centred), recs, time.Hour); diff == "" {
			t.Error("lookahead found no difference for a centred window")
		}
	})
}

// lookahead runs d on all records and on the records up to each of several
// cuts, and describes the first row whose verdict differs.
func lookahead(d detector.Detector, recs []Record, gran time.Duration) string {
	o := Options{Granularity: gran}
	full, err := NewInput(recs, o)
	if err != nil {
		return err.Error()
	}
	want, err := Run(d, full)
	if err != nil {
		return err.Error()
	}
	judged, anomalies := 0, 0
	for _, r := range want {
		judged += b2i(r.Judged())
		anomalies += b2i(r.Anomaly)
	}
	if judged < len(want)/2 || anomalies == 0 {
		return fmt.Sprintf("%d of %d rows judged, %d anomalies: too few to compare", judged, len(want), anomalies)
	}
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, func(a, b Record) int { return a.Time.Compare(b.Time) })
	cuts := []int{30, 200, 333, 400, 401, 517, 600, len(sorted) - 2}
	for k := 405; k < 415; k++ { // around the bucket with two rows
		cuts = append(cuts, k)
	}
	for _, k := range cuts {
		cut := sorted[k].Time
		var sub []Record
		var idx []int
		for i, r := range recs {
			if !r.Time.After(cut) {
				sub, idx = append(sub, r), append(idx, i)
			}
		}
		in, err := NewInput(sub, o)
		if err != nil {
			return err.Error()
		}
		got, err := Run(d, in)
		if err != nil {
			return fmt.Sprintf("cut at %v: %v", cut, err)
		}
		for j, r := range got {
			if w := want[idx[j]]; !sameVerdict(r, w) {
				return fmt.Sprintf("cut at %v: row at %v = %+v, without the cut %+v", cut, r.Time, r, w)
			}
		}
	}
	return ""
}

func sameVerdict(a, b Row) bool {
	eq := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	return eq(a.Expected, b.Expected) && eq(a.Lower, b.Lower) && eq(a.Upper, b.Upper) &&
		eq(a.Score, b.Score) && a.Anomaly == b.Anomaly
}

// noisyDaily makes n hourly records with a daily cycle and noise, their
// timestamps jittered by up to three minutes, some values missing, one
// bucket with two rows and the rows shuffled a little, plus a few spikes.
func noisyDaily(n int, seed uint64) []Record {
	rng := rand.New(rand.NewPCG(seed, 1))
	t0 := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	var recs []Record
	for i := range n {
		v := 100 + 30*math.Sin(2*math.Pi*float64(i)/24) + 3*rng.NormFloat64()
		switch {
		case i%97 == 50:
			v += 40
		case i%31 == 7:
			v = math.NaN()
		}
		jitter := time.Duration(rng.IntN(361)-180) * time.Second
		ts := t0.Add(time.Duration(i)*time.Hour + jitter)
		recs = append(recs, Record{Line: i + 2, Timestamp: ts.Format(time.RFC3339), Time: ts, Value: v})
	}
	recs = append(recs, Record{Line: n + 2, Timestamp: "dup", Time: recs[410].Time.Add(time.Minute), Value: recs[410].Value + 60})
	for i := 0; i+1 < len(recs); i += 50 {
		recs[i], recs[i+1] = recs[i+1], recs[i]
	}
	return recs
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
