package engine

import (
	"context"
	"math"
	"sync"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/notifiers"
	"vigil/sources"
)

// fakeSource answers every query with a regular series whose value at each
// bucket start comes from value, and records the queries it was asked.
type fakeSource struct {
	value func(t time.Time) float64 // nil means a constant 100
	err   error
	// extra buckets returned past q.To, as a careless source might.
	extra int

	mu      sync.Mutex
	queries []sources.Query
}

func (f *fakeSource) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if f.err != nil {
		return detector.Series{}, f.err
	}
	s := detector.Series{Start: q.From, Step: q.Granularity, Loc: q.Location}
	end, _ := s.Index(q.To)
	for i := 0; i < end+f.extra; i++ {
		v := 100.0
		if f.value != nil {
			v = f.value(s.Time(i))
		}
		s.Values = append(s.Values, v)
	}
	return s, nil
}

func (f *fakeSource) Render(q sources.Query) (string, error) {
	return "SELECT " + q.Rule, nil
}

func (f *fakeSource) last() sources.Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries[len(f.queries)-1]
}

// bandDetector expects 100 and flags values outside 90..110.
var bandDetector = detector.DetectorFunc(func(s detector.Series, from int) ([]detector.Point, error) {
	if from >= s.Len() {
		return nil, detector.ErrNotEnoughData
	}
	var pts []detector.Point
	for i := from; i < s.Len(); i++ {
		p := detector.Point{Index: i, Time: s.Time(i), Value: s.Values[i]}
		detector.Guards{Threshold: 4}.JudgeScale(&p, 100, 2.5, s.Values[i])
		pts = append(pts, p)
	}
	return pts, nil
})

// recorder is a notifier that keeps what it is sent.
type recorder struct {
	mu     sync.Mutex
	alerts []notifiers.Alert
	err    error
}

func (r *recorder) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a)
	return false, r.err
}

func (r *recorder) sent() []notifiers.Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notifiers.Alert(nil), r.alerts...)
}

// hourly returns a rule over src judged by bandDetector: hourly buckets,
// the given delay, a week of history.
func hourly(name string, src sources.Source, delay time.Duration, ns ...notifiers.Notifier) Rule {
	return Rule{
		Metric: config.Metric{
			Name:        name,
			Granularity: time.Hour,
			Delay:       delay,
			Schedule:    "@hourly",
			Detect:      config.Detect{Method: "band", History: 7 * 24 * time.Hour},
		},
		SourceName: "fake",
		Source:     src,
		Detector:   bandDetector,
		Timeout:    time.Minute,
		Notifiers:  ns,
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func nan() float64 { return math.NaN() }
