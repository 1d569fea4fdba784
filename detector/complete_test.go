package detector

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// expCurve is the share of an hourly bucket's rows that has arrived by
// offset o from its start, when rows happen uniformly in the bucket and
// arrive after an exponential lag of mean m.
func expCurve(o, m time.Duration) float64 {
	if o <= 0 {
		return 0
	}
	g, mm, oo := time.Hour.Hours(), m.Hours(), o.Hours()
	a := math.Min(oo, g)
	return (a - mm*(math.Exp(-(oo-a)/mm)-math.Exp(-oo/mm))) / g
}

// daily gives a volume with a daily cycle around mean.
func daily(mean float64) func(int) float64 {
	return func(i int) float64 { return mean * (1 + 0.5*math.Sin(2*math.Pi*float64(i%24)/24)) }
}

// TestCompletenessLearnsTheCurve checks the usual share against the known
// curve, and that only young buckets wait.
func TestCompletenessLearnsTheCurve(t *testing.T) {
	const lag = 40 * time.Minute
	c := Completeness{Min: 0.95, MaxWait: 6 * time.Hour}
	for seed := uint64(1); seed <= 5; seed++ {
		sim := completeWorld{buckets: 24 * 8, volume: daily(300), lag: exponentialLag(lag), into: 10 * time.Minute, seed: seed}.run()
		got, err := judgeSim(c, sim)
		if err != nil {
			t.Fatalf("seed %d: Judge: %v", seed, err)
		}
		checkSound(t, c, sim, got)
		for _, f := range got {
			offset := sim.now.Sub(f.Time)
			want := expCurve(offset, lag)
			if math.Abs(f.Usual-want) > 0.03 {
				t.Errorf("seed %d: bucket %s: Usual = %.3f, want %.3f (the curve at %v)", seed, f.Time.Format("15:04"), f.Usual, want, offset)
			}
			if f.Pace != OnSchedule {
				t.Errorf("seed %d: bucket %s: Pace = %v, want on schedule (%s)", seed, f.Time.Format("15:04"), f.Pace, f.Reason)
			}
			wantReady := Filling
			if want >= c.Min+0.03 {
				wantReady = Complete
			}
			if math.Abs(want-c.Min) > 0.03 && f.Readiness != wantReady {
				t.Errorf("seed %d: bucket %s aged %v: %v, want %v (%s)", seed, f.Time.Format("15:04"), f.Age, f.Readiness, wantReady, f.Reason)
			}
		}
	}
}

// TestCompletenessDropIsNotLateness lowers the volume of the newest buckets:
// they must be neither stalled nor empty, and complete once old enough.
func TestCompletenessDropIsNotLateness(t *testing.T) {
	c := Completeness{Min: 0.95, MaxWait: 6 * time.Hour}
	for _, share := range []float64{0.4, 0.1} {
		for seed := uint64(1); seed <= 5; seed++ {
			n := 24 * 8
			w := completeWorld{buckets: n, lag: exponentialLag(40 * time.Minute), into: 10 * time.Minute, seed: seed}
			w.volume = func(i int) float64 {
				if i >= n-6 {
					return 300 * share
				}
				return 300
			}
			sim := w.run()
			got, err := judgeSim(c, sim)
			if err != nil {
				t.Fatal(err)
			}
			checkSound(t, c, sim, got)
			for _, f := range got {
				if f.Pace != OnSchedule {
					t.Errorf("volume at %v, seed %d: bucket %s: Pace = %v, want on schedule (%s)", share, seed, f.Time.Format("15:04"), f.Pace, f.Reason)
				}
				if f.Age >= 3*time.Hour && f.Readiness != Complete {
					t.Errorf("volume at %v, seed %d: bucket %s aged %v: %v, want complete", share, seed, f.Time.Format("15:04"), f.Age, f.Readiness)
				}
			}
		}
	}
}

// TestCompletenessStall stops arrivals 6h50m before now, 20 minutes after
// the oldest bucket past max_wait began, when it held a few percent of its
// rows: that bucket is stalled and late,
// the ones after it are empty once they should be complete, and none is
// judged complete.
func TestCompletenessStall(t *testing.T) {
	c := Completeness{Min: 0.95, MaxWait: 6 * time.Hour}
	for seed := uint64(1); seed <= 5; seed++ {
		w := completeWorld{buckets: 24 * 8, volume: daily(300), lag: exponentialLag(40 * time.Minute), into: 10 * time.Minute, seed: seed}
		last := completeT0.Add(time.Duration(w.buckets-1) * time.Hour)
		w.stall = last.Add(w.into - 6*time.Hour - 50*time.Minute)
		sim := w.run()
		got, err := judgeSim(c, sim)
		if err != nil {
			t.Fatal(err)
		}
		checkSound(t, c, sim, got)
		oldest := got[0]
		if oldest.Readiness != Late || oldest.Pace != Stalled {
			t.Fatalf("seed %d: oldest bucket %s aged %v: %v, %v; want late, stalled (%s)", seed, oldest.Time.Format("15:04"), oldest.Age, oldest.Readiness, oldest.Pace, oldest.Reason)
		}
		if truth := oldest.Arrived / sim.total[oldest.Index]; oldest.Share < truth-0.05 || oldest.Share > 0.8 {
			t.Errorf("seed %d: stalled share %.2f, want at least the true %.2f and well below complete", seed, oldest.Share, truth)
		}
		if want := "is late: no rows have arrived since " + w.stall.Add(-time.Minute).Format("2006-01-02 15:"); !strings.Contains(oldest.Reason, want) {
			t.Errorf("seed %d: Reason = %q", seed, oldest.Reason)
		}
		for _, f := range got[1:] {
			if f.Readiness == Complete {
				t.Errorf("seed %d: bucket %s aged %v is complete after the stall (%v, share %.2f)", seed, f.Time.Format("15:04"), f.Age, f.Pace, f.Share)
			}
			if f.Age >= 3*time.Hour && f.Pace != Empty {
				t.Errorf("seed %d: bucket %s aged %v: %v, want empty", seed, f.Time.Format("15:04"), f.Age, f.Pace)
			}
		}
	}
}

// TestCompletenessBatches loads rows every 3 hours: nothing looks stalled or
// empty while loads run and no bucket is judged before its load; a missed
// load leaves empty buckets.
func TestCompletenessBatches(t *testing.T) {
	c := Completeness{Min: 0.95, MaxWait: 6 * time.Hour}
	for seed := uint64(1); seed <= 5; seed++ {
		for _, phase := range []time.Duration{20 * time.Minute, 50 * time.Minute, 80 * time.Minute, 110 * time.Minute, 150 * time.Minute} {
			w := completeWorld{buckets: 24 * 28, volume: daily(300), lag: batchLag(3*time.Hour, phase), into: 30 * time.Minute, seed: seed}
			sim := w.run()
			got, err := judgeSim(c, sim)
			if err != nil {
				t.Fatal(err)
			}
			checkSound(t, c, sim, got)
			for _, f := range got {
				if f.Pace != OnSchedule {
					t.Errorf("seed %d, phase %v: bucket %s aged %v: %v, want on schedule (%s)", seed, phase, f.Time.Format("15:04"), f.Age, f.Pace, f.Reason)
				}
				if f.Age >= 3*time.Hour && f.Readiness != Complete {
					t.Errorf("seed %d, phase %v: bucket %s aged %v: %v, want complete", seed, phase, f.Time.Format("15:04"), f.Age, f.Readiness)
				}
			}
			// The loads of the last 5 hours are missed.
			last := completeT0.Add(time.Duration(w.buckets-1) * time.Hour)
			w.stall = last.Add(w.into - 5*time.Hour)
			sim = w.run()
			if got, err = judgeSim(c, sim); err != nil {
				t.Fatal(err)
			}
			checkSound(t, c, sim, got)
			empty := 0
			for _, f := range got {
				if f.Pace == Empty {
					empty++
				}
			}
			if empty == 0 {
				t.Errorf("seed %d, phase %v: missed loads: no bucket is empty", seed, phase)
			}
		}
	}
}

// handmade returns 40 hourly buckets whose first 34 are references holding
// 100 rows, 60 at the bucket's end, then 90, 97 and all 100 an hour apart;
// now is the end of the last bucket, probed at the offsets of the last four.
func handmade() (Series, Arrivals) {
	s := Series{Start: completeT0, Step: time.Hour, Values: make([]float64, 40)}
	a := Arrivals{Now: completeT0.Add(40 * time.Hour), Probes: []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 4 * time.Hour}}
	for range 40 {
		a.Arrived = append(a.Arrived, []float64{60, 90, 97, 100})
		a.Final = append(a.Final, 100)
	}
	nan := math.NaN()
	a.Arrived[37] = []float64{30, 30, 30, nan}
	a.Final[37] = 30
	a.Arrived[38] = []float64{50, 79, nan, nan}
	a.Final[38] = 79
	a.Arrived[39] = []float64{55, nan, nan, nan}
	a.Final[39] = 55
	a.Arrived[36] = []float64{0, 0, 0, 0}
	a.Final[36] = 0
	return s, a
}

func TestCompletenessReasons(t *testing.T) {
	s, a := handmade()
	got, err := Completeness{Min: 0.95, MaxWait: 3 * time.Hour}.Judge(s, a, 36)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		ready  Readiness
		pace   Pace
		share  float64
		reason string
	}{
		{Late, Empty, 0, "data for 2024-03-05 12:00 UTC is late: no rows have arrived after 3 hours (by then buckets usually hold 100% of their rows)"},
		{Filling, Stalled, 0.6, "data for 2024-03-05 13:00 UTC is still arriving: at most about 60% of the expected rows have arrived after 2 hours (usually 97%)"},
		{Filling, OnSchedule, 0.9, "data for 2024-03-05 14:00 UTC is still arriving: after 1 hour buckets usually hold 90% of their rows (95% required)"},
		{Filling, OnSchedule, 0.6, "data for 2024-03-05 15:00 UTC is still arriving: after 0 seconds buckets usually hold 60% of their rows (95% required)"},
	}
	if len(got) != len(want) {
		t.Fatalf("Judge = %d verdicts, want %d", len(got), len(want))
	}
	for k, w := range want {
		f := got[k]
		if f.Readiness != w.ready || f.Pace != w.pace || math.Abs(f.Share-w.share) > 1e-9 || f.Reason != w.reason {
			t.Errorf("bucket %d = %v, %v, share %v, %q\nwant %v, %v, share %v, %q", f.Index, f.Readiness, f.Pace, f.Share, f.Reason, w.ready, w.pace, w.share, w.reason)
		}
	}
	if e := got[1].Expected; math.Abs(e-50) > 1e-9 {
		t.Errorf("stalled bucket: Expected = %v, want 50 (30 rows at the end, where 60%% usually are)", e)
	}
	if !math.IsNaN(got[0].Expected) {
		t.Errorf("empty bucket: Expected = %v, want NaN", got[0].Expected)
	}
}

// TestCompletenessOnScheduleDrop keeps the handmade stalled bucket's shape
// but lets it gain rows as usual, at 30% of the volume: it is complete.
func TestCompletenessOnScheduleDrop(t *testing.T) {
	s, a := handmade()
	a.Arrived[37] = []float64{18, 27, 29, math.NaN()}
	a.Final[37] = 29
	got, err := Completeness{MaxWait: 3 * time.Hour}.Judge(s, a, 37)
	if err != nil {
		t.Fatal(err)
	}
	if f := got[0]; f.Readiness != Complete || f.Pace != OnSchedule || f.Reason != "" {
		t.Errorf("bucket with 30%% of the volume = %v, %v, %q; want complete, on schedule", f.Readiness, f.Pace, f.Reason)
	}
}

// TestCompletenessLateOnSchedule: a bucket on schedule that is still below
// min at max_wait is late, and the reason says the usual share is too low.
func TestCompletenessLateOnSchedule(t *testing.T) {
	s, a := handmade()
	got, err := Completeness{Min: 0.99, MaxWait: 2 * time.Hour}.Judge(s, a, 37)
	if err != nil {
		t.Fatal(err)
	}
	a.Arrived[37] = []float64{60, 90, 97, math.NaN()}
	a.Final[37] = 97
	got, err = Completeness{Min: 0.99, MaxWait: 2 * time.Hour}.Judge(s, a, 37)
	if err != nil {
		t.Fatal(err)
	}
	want := "data for 2024-03-05 13:00 UTC is late: after 2 hours buckets usually hold only 97% of their rows, less than the 99% required"
	if f := got[0]; f.Readiness != Late || f.Reason != want {
		t.Errorf("bucket = %v, %q; want late, %q", f.Readiness, f.Reason, want)
	}
}

func TestCompletenessErrors(t *testing.T) {
	s, a := handmade()
	ok := Completeness{MaxWait: 3 * time.Hour}
	tests := []struct {
		name string
		c    Completeness
		edit func(*Series, *Arrivals)
		from int
		want string
	}{
		{"min above 1", Completeness{Min: 1.5, MaxWait: time.Hour}, nil, 36, "min must be above 0 and at most 1"},
		{"no max wait", Completeness{}, nil, 36, "max wait must be positive"},
		{"no now", ok, func(_ *Series, a *Arrivals) { a.Now = time.Time{} }, 36, "no time of evaluation"},
		{"no probes", ok, func(_ *Series, a *Arrivals) { a.Probes = nil }, 36, "no probes"},
		{"probes out of order", ok, func(_ *Series, a *Arrivals) { a.Probes = []time.Duration{2, 1, 3, 4} }, 36, "ascending"},
		{"short finals", ok, func(_ *Series, a *Arrivals) { a.Final = a.Final[1:] }, 36, "39 final and 40 arrived counts for 40 buckets"},
		{"short row", ok, func(_ *Series, a *Arrivals) { a.Arrived[3] = a.Arrived[3][:2] }, 36, "bucket 3 has 2 arrived counts for 4 probes"},
		{"negative count", ok, func(_ *Series, a *Arrivals) { a.Final[5] = -1 }, 36, "bucket 5 has a row count of -1"},
		{"from past the end", ok, nil, 40, "from 40 is outside the series"},
		{"bad step", ok, func(s *Series, _ *Arrivals) { s.Step = 0 }, 36, "step"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s2, a2 := s, a
			a2.Arrived = append([][]float64(nil), a.Arrived...)
			a2.Final = append([]float64(nil), a.Final...)
			if tt.edit != nil {
				tt.edit(&s2, &a2)
			}
			_, err := tt.c.Judge(s2, a2, tt.from)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Judge = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestCompletenessNotEnoughReferences needs ten reference buckets with rows.
func TestCompletenessNotEnoughReferences(t *testing.T) {
	s, a := handmade()
	for i := 0; i < 25; i++ {
		a.Final[i] = 0
	}
	_, err := Completeness{MaxWait: 3 * time.Hour}.Judge(s, a, 36)
	if !errors.Is(err, ErrNotEnoughData) {
		t.Fatalf("Judge with 9 references = %v, want ErrNotEnoughData", err)
	}
	a.Final[24] = 100
	if _, err := (Completeness{MaxWait: 3 * time.Hour}).Judge(s, a, 36); err != nil {
		t.Fatalf("Judge with 10 references = %v, want no error", err)
	}
}

func TestFullnessMark(t *testing.T) {
	p := Point{Time: completeT0, Value: 40, Expected: 100, Lower: 80, Upper: 120, Z: -8, Anomaly: true, Direction: Down, Reason: "60% below"}
	late := Fullness{Readiness: Late, Share: 0.49, Usual: 0.98, Reason: "data is late"}
	got := late.Mark(p)
	if !got.Anomaly || got.Direction != None || got.Reason != "data is late" || got.Expected != 100 || got.Lower != 80 {
		t.Errorf("Mark = %+v, want an anomaly without direction, the late reason and the band kept", got)
	}
	if math.Abs(got.Score-0.5) > 1e-9 || got.Z >= 0 {
		t.Errorf("Mark: Score %v, Z %v; want 0.5 (half of the usual rows missing) and Z below 0", got.Score, got.Z)
	}
	if empty := (Fullness{Readiness: Late, Usual: 0.9}).Mark(p); empty.Score != 1 {
		t.Errorf("Mark of an empty bucket: Score %v, want 1", empty.Score)
	}
	if same := (Fullness{Readiness: Complete}).Mark(p); same != p {
		t.Errorf("Mark of a complete bucket changed the point: %+v", same)
	}
}

// TestCompletenessSound runs many worlds, with rows that stream in or come
// in batches and arrivals that stop at various moments, and checks that no
// bucket judged complete lacks more than it may and none judged late has
// all its rows.
func TestCompletenessSound(t *testing.T) {
	c := Completeness{Min: 0.95, MaxWait: 6 * time.Hour}
	lags := []struct {
		name  string
		days  int
		delay func(*rand.Rand, time.Time) time.Time
	}{
		{"stream 10m", 14, exponentialLag(10 * time.Minute)},
		{"stream 40m", 14, exponentialLag(40 * time.Minute)},
		{"stream 2h", 14, exponentialLag(2 * time.Hour)},
		{"batch 3h", 28, batchLag(3*time.Hour, 35*time.Minute)},
		{"batch 1h", 28, batchLag(time.Hour, 5*time.Minute)},
	}
	stops := []time.Duration{0, time.Hour, 3 * time.Hour, 5*time.Hour + 30*time.Minute, 6*time.Hour + 20*time.Minute, 8 * time.Hour}
	for _, lag := range lags {
		for _, stop := range stops {
			for _, into := range []time.Duration{0, 10 * time.Minute, 45 * time.Minute} {
				w := completeWorld{buckets: 24 * lag.days, volume: daily(200), lag: lag.delay, into: into, seed: uint64(stop + into)}
				if stop > 0 {
					w.stall = completeT0.Add(time.Duration(w.buckets-1)*time.Hour + into - stop)
				}
				sim := w.run()
				got, err := judgeSim(c, sim)
				if err != nil {
					t.Fatalf("%s, stop %v, into %v: %v", lag.name, stop, into, err)
				}
				t.Run(fmt.Sprintf("%s/stop %v/into %v", lag.name, stop, into), func(t *testing.T) {
					checkSound(t, c, sim, got)
				})
			}
		}
	}
}
