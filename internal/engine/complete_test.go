package engine

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/sources"
	"vigil/sources/sourcestest"
)

func TestArrivalQuery(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	h := time.Hour
	tests := []struct {
		name   string
		gran   time.Duration
		loc    *time.Location
		now    string
		wait   time.Duration
		to     string
		oldest string
		probes []time.Duration
	}{
		{"hourly", h, time.UTC, "2024-04-10T12:05:00Z", 6 * h, "2024-04-10T13:00:00Z", "2024-04-10T05:00:00Z",
			[]time.Duration{5 * time.Minute, h + 5*time.Minute, 2*h + 5*time.Minute, 3*h + 5*time.Minute,
				4*h + 5*time.Minute, 5*h + 5*time.Minute, 6*h + 5*time.Minute, 7*h + 5*time.Minute}},
		{"now on a bucket start", h, time.UTC, "2024-04-10T12:00:00Z", 3 * h, "2024-04-10T12:00:00Z", "2024-04-10T08:00:00Z",
			[]time.Duration{h, 2 * h, 3 * h, 4 * h}},
		{"daily across the spring change", 24 * h, berlin, "2024-04-01T06:00:00Z", 6 * h, "2024-04-01T22:00:00Z", "2024-03-31T00:00:00+01:00",
			[]time.Duration{8 * h, 31 * h}}, // 2024-03-31 had 23 hours
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := sources.Query{Granularity: tt.gran, Location: tt.loc, From: at("2024-04-01T00:00:00Z"), To: at("2024-04-05T00:00:00Z")}
			c := config.Completeness{Arrival: "ingested_at", Min: 0.95, MaxWait: tt.wait}
			got, oldest, err := arrivalQuery(q, c, at(tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if !got.To.Equal(at(tt.to)) || !oldest.Equal(at(tt.oldest)) || !slices.Equal(got.Probes, tt.probes) {
				t.Errorf("arrivalQuery: to %s, oldest %s, probes %v\nwant to %s, oldest %s, probes %v", got.To, oldest, got.Probes, tt.to, tt.oldest, tt.probes)
			}
			if got.Arrival != "ingested_at" || !got.Now.Equal(at(tt.now)) {
				t.Errorf("arrivalQuery: arrival %q, now %s", got.Arrival, got.Now)
			}
			refEnd := at(tt.now).Add(-2 * tt.wait)
			if n := int(refEnd.Sub(got.From) / tt.gran); n < completeRefs {
				t.Errorf("arrivalQuery reads %d buckets before the references' end, want at least %d", n, completeRefs)
			}
		})
	}
	q := sources.Query{Granularity: time.Minute, From: at("2024-04-01T00:00:00Z"), To: at("2024-04-05T00:00:00Z")}
	if _, _, err := arrivalQuery(q, config.Completeness{MaxWait: 6 * h}, at("2024-04-05T00:00:00Z")); err == nil {
		t.Error("arrivalQuery over 360 buckets = nil error, want one")
	}
}

func TestSettle(t *testing.T) {
	t0 := at("2024-04-10T05:00:00Z")
	fills := func(rs ...detector.Readiness) *completion {
		c := &completion{}
		for i, r := range rs {
			c.fills = append(c.fills, detector.Fullness{Time: t0.Add(time.Duration(i) * time.Hour), Readiness: r})
		}
		return c
	}
	C, F, L := detector.Complete, detector.Filling, detector.Late
	tests := []struct {
		name   string
		c      *completion
		latest string
		want   string
		late   bool
	}{
		{"all complete up to the delay", fills(C, C, C, C, F), "2024-04-10T08:00:00Z", "2024-04-10T08:00:00Z", false},
		{"never past the delay", fills(C, C, C, C, C), "2024-04-10T07:00:00Z", "2024-04-10T07:00:00Z", false},
		{"a filling bucket stops the walk", fills(C, C, F, C, C), "2024-04-10T09:00:00Z", "2024-04-10T06:00:00Z", false},
		{"only the oldest", fills(C, F, F), "2024-04-10T07:00:00Z", "2024-04-10T05:00:00Z", false},
		{"oldest late", fills(L, C, C), "2024-04-10T07:00:00Z", "2024-04-10T05:00:00Z", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.settle(at(tt.latest))
			if !got.Equal(at(tt.want)) || (tt.c.late != nil) != tt.late {
				t.Errorf("settle = %s, late %v; want %s, late %v", got, tt.c.late != nil, tt.want, tt.late)
			}
		})
	}
}

func TestMark(t *testing.T) {
	t0 := at("2024-04-10T05:00:00Z")
	pts := []detector.Point{{Time: t0.Add(-time.Hour), Value: 100}, {Time: t0, Value: 40, Expected: 100, Anomaly: true, Direction: detector.Down}}
	late := &completion{late: &detector.Fullness{Time: t0, Readiness: detector.Late, Share: 0.4, Usual: 1, Reason: "data is late"}}
	got := late.mark(slices.Clone(pts))
	if p := got[1]; p.Direction != detector.None || !p.Anomaly || p.Reason != "data is late" || p.Expected != 100 {
		t.Errorf("mark: %+v, want a late-data verdict", p)
	}
	if got[0] != pts[0] {
		t.Errorf("mark changed an earlier point: %+v", got[0])
	}
	var none *completion
	if got := none.mark(slices.Clone(pts)); got[1] != pts[1] {
		t.Errorf("mark without completeness changed the point: %+v", got[1])
	}
}

// arrivalFake answers from rows in memory, with their arrivals.
type arrivalFake struct {
	rows []sourcestest.Arrival
}

func (f arrivalFake) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	q.Arrival = ""
	s, _, err := sourcestest.ArrivalsOf(q, f.rows)
	return s, err
}

func (f arrivalFake) QueryArrivals(ctx context.Context, q sources.Query) (detector.Series, detector.Arrivals, error) {
	return sourcestest.ArrivalsOf(q, f.rows)
}

// arrivalRule is an hourly rule over src judged by bandDetector, with a
// one-hour delay and, when wait is set, completeness from ingested_at.
func arrivalRule(src sources.Source, wait time.Duration, ns ...*recorder) Rule {
	r := hourly("orders", src, time.Hour)
	r.Metric.Table, r.Metric.Timestamp, r.Metric.Value = "orders", "ts", "count()"
	r.Metric.Detect.History = 24 * time.Hour
	if wait > 0 {
		r.Metric.Completeness = config.Completeness{Arrival: "ingested_at", Min: 0.95, MaxWait: wait}
	}
	for _, n := range ns {
		r.Notifiers = append(r.Notifiers, n)
	}
	return r
}

func TestEvaluateCompletenessErrors(t *testing.T) {
	now := at("2024-04-10T12:05:00Z")
	world := sourcestest.ArrivalWorld{From: now.Add(-48 * time.Hour), Now: now, PerHour: 100, Lag: 30 * time.Minute, Seed: 1}
	tests := []struct {
		name string
		rule Rule
		want string
	}{
		{"source without arrivals", arrivalRule(&fakeSource{}, 6*time.Hour), "cannot count arrivals"},
		{"max_wait within the delay", func() Rule {
			r := arrivalRule(arrivalFake{world.Rows()}, 6*time.Hour)
			r.Metric.Delay = 6 * time.Hour
			return r
		}(), "must be longer than delay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := evaluate(context.Background(), tt.rule, now)
			if res.Err == nil || !strings.Contains(res.Err.Error(), tt.want) {
				t.Errorf("evaluate: %v, want an error containing %q", res.Err, tt.want)
			}
		})
	}
}

// TestEvaluateCompletenessFallsBack: with too little history to learn how
// data arrives, the delay alone decides.
func TestEvaluateCompletenessFallsBack(t *testing.T) {
	now := at("2024-04-10T12:05:00Z")
	world := sourcestest.ArrivalWorld{From: now.Add(-10 * time.Hour), Now: now, PerHour: 100, Lag: 30 * time.Minute, Seed: 1}
	r := arrivalRule(arrivalFake{world.Rows()}, 3*time.Hour)
	r.Detector = detector.DetectorFunc(func(s detector.Series, from int) ([]detector.Point, error) {
		return []detector.Point{{Index: s.Len() - 1, Time: s.Time(s.Len() - 1), Value: 1, Expected: 1}}, nil
	})
	res := evaluate(context.Background(), r, now)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if want := LatestSettled(now, time.Hour, time.Hour, time.UTC); !res.Bucket.Equal(want) {
		t.Errorf("bucket %s, want %s, the latest settled by the delay", res.Bucket, want)
	}
}
