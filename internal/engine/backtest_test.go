package engine

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/methods"
)

// wavy is an hourly metric with a daily cycle, a little deterministic
// noise, from outage on three hours at a fraction of their level, and a
// missing bucket a day later.
func wavy(outage time.Time) func(time.Time) float64 {
	return func(b time.Time) float64 {
		if b.Equal(outage.Add(24 * time.Hour)) {
			return math.NaN()
		}
		h := float64(b.Hour())
		v := 1000 + 300*math.Sin(2*math.Pi*h/24) + float64((b.Unix()/3600*7919)%41) - 20
		if !b.Before(outage) && b.Before(outage.Add(3*time.Hour)) {
			v *= 0.4
		}
		return v
	}
}

// methodRule is a rule judged as the detect spec says, built as the engine
// builds it.
func methodRule(t *testing.T, spec string, src *fakeSource, delay time.Duration) Rule {
	t.Helper()
	m, err := config.ParseDetect(spec, time.Hour, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	m.Name, m.Delay, m.Schedule = "orders", delay, "@hourly"
	det, desc, err := methods.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	m.Detect.History = desc.History
	return Rule{Metric: m, SourceName: "fake", Source: src, Detector: det, Method: desc.Text}
}

// TestBacktestMatchesEvaluate replays three days and checks each verdict
// against the daemon's own evaluation at the time the bucket settled, for
// methods whose verdicts do not depend on where the series starts (stl
// aligns its refits with the series' start, so its live verdicts shift a
// little from hour to hour).
func TestBacktestMatchesEvaluate(t *testing.T) {
	outage := at("2024-03-06T09:00:00Z")
	for _, spec := range []string{
		"method: seasonal, seasonality: daily, history: 4d",
		"method: change, offset: 1d, periods: 2, max: 25%",
		"method: seasonal, seasonality: daily, history: 3d, consecutive: 2, direction: down",
		"method: threshold, lower: 600, missing: alert",
	} {
		t.Run(spec, func(t *testing.T) {
			src := &fakeSource{value: wavy(outage)}
			r := methodRule(t, spec, src, 2*time.Hour)
			from, to := at("2024-03-05T00:00:00Z"), at("2024-03-08T00:00:00Z")
			res, err := Backtest(context.Background(), r, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if len(src.queries) != 1 {
				t.Fatalf("Backtest ran %d queries, want 1", len(src.queries))
			}
			if want := 3*24 - 2; len(res.Points) != want {
				t.Fatalf("Backtest judged %d buckets, want %d", len(res.Points), want)
			}
			if len(res.Alerts()) == 0 {
				t.Fatalf("Backtest found no alert in the outage")
			}
			for _, p := range res.Points {
				settled := p.Time.Add(time.Hour + r.Metric.Delay)
				live := evaluate(context.Background(), r, settled)
				lp, ok := live.Latest()
				if live.Err != nil || !ok {
					t.Fatalf("evaluate at %s: %v", settled, live.Err)
				}
				if !samePoint(p, lp) {
					t.Errorf("bucket %s: Backtest %+v, evaluate %+v", p.Time, p, lp)
				}
			}
		})
	}
}

func samePoint(a, b detector.Point) bool {
	eq := func(x, y float64) bool {
		return x == y || (math.IsNaN(x) && math.IsNaN(y)) || math.Abs(x-y) < 1e-9*math.Max(1, math.Abs(x))
	}
	return a.Time.Equal(b.Time) && eq(a.Value, b.Value) && eq(a.Expected, b.Expected) && eq(a.Lower, b.Lower) &&
		eq(a.Upper, b.Upper) && eq(a.Score, b.Score) && a.Anomaly == b.Anomaly && a.Reason == b.Reason
}

// TestBacktestRange checks which buckets a range holds: those starting at
// or after from that had settled by to, and the one query covering them
// and what the daemon's query for the first had before it (a week of
// history and 47 judged buckets).
func TestBacktestRange(t *testing.T) {
	spike := at("2024-03-05T09:00:00Z")
	src := func() *fakeSource {
		return &fakeSource{value: func(b time.Time) float64 {
			if b.Equal(spike) {
				return 300
			}
			return 100
		}}
	}
	tests := []struct {
		name               string
		from, to           string
		first, last        string
		alerts             int
		queryFrom, queryTo string
	}{
		{"spike settles at to", "2024-03-05T00:00:00Z", "2024-03-05T12:00:00Z", "2024-03-05T00:00:00Z", "2024-03-05T09:00:00Z", 1,
			"2024-02-25T01:00:00Z", "2024-03-05T10:00:00Z"},
		{"to a second before it settles", "2024-03-05T00:00:00Z", "2024-03-05T11:59:59Z", "2024-03-05T00:00:00Z", "2024-03-05T08:00:00Z", 0,
			"2024-02-25T01:00:00Z", "2024-03-05T09:00:00Z"},
		{"from after the spike", "2024-03-05T09:30:00Z", "2024-03-06T00:00:00Z", "2024-03-05T10:00:00Z", "2024-03-05T21:00:00Z", 0,
			"2024-02-25T11:00:00Z", "2024-03-05T22:00:00Z"},
		{"nothing settled", "2024-03-05T09:30:00Z", "2024-03-05T12:00:00Z", "2024-03-05T10:00:00Z", "2024-03-05T09:00:00Z", 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := src()
			r := hourly("orders", s, 2*time.Hour)
			res, err := Backtest(context.Background(), r, at(tt.from), at(tt.to))
			if err != nil {
				t.Fatal(err)
			}
			if !res.First.Equal(at(tt.first)) || !res.Last.Equal(at(tt.last)) {
				t.Errorf("range %s to %s, want %s to %s", res.First, res.Last, tt.first, tt.last)
			}
			if got := len(res.Alerts()); got != tt.alerts {
				t.Errorf("%d alerts, want %d", got, tt.alerts)
			}
			if tt.queryFrom == "" {
				if len(s.queries) != 0 || len(res.Points) != 0 {
					t.Errorf("%d queries and %d verdicts, want none", len(s.queries), len(res.Points))
				}
				return
			}
			if len(s.queries) != 1 {
				t.Fatalf("%d queries, want 1", len(s.queries))
			}
			if q := s.queries[0]; !q.From.Equal(at(tt.queryFrom)) || !q.To.Equal(at(tt.queryTo)) {
				t.Errorf("query from %s to %s, want %s to %s", q.From, q.To, tt.queryFrom, tt.queryTo)
			}
			if n := int(res.Last.Sub(res.First)/time.Hour) + 1; len(res.Points) != n {
				t.Errorf("%d verdicts, want %d", len(res.Points), n)
			}
		})
	}
}

// TestBacktestSchedule keeps only the buckets the schedule evaluates.
func TestBacktestSchedule(t *testing.T) {
	tests := []struct {
		schedule string
		want     []string // bucket starts, UTC hours on 2024-03-05
	}{
		{"0 */6 * * *", []string{"05", "11", "17"}},
		{"30 9 * * *", []string{"08"}},
		{"@every 5h", []string{"04", "09", "14", "19"}}, // from 00:00: 05:00, 10:00, ...
		{"*/20 * * * *", []string{"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22"}},
	}
	for _, tt := range tests {
		t.Run(tt.schedule, func(t *testing.T) {
			r := hourly("orders", &fakeSource{}, 0)
			r.Metric.Schedule = tt.schedule
			res, err := Backtest(context.Background(), r, at("2024-03-05T00:00:00Z"), at("2024-03-05T23:59:00Z"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Points {
				got = append(got, p.Time.UTC().Format("15"))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("evaluated buckets %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIncidents(t *testing.T) {
	b := at("2024-03-05T00:00:00Z")
	pt := func(h int, v, expected float64, anomaly bool) detector.Point {
		return detector.Point{Time: b.Add(time.Duration(h) * time.Hour), Value: v, Expected: expected, Anomaly: anomaly}
	}
	pts := []detector.Point{
		pt(0, 100, 100, false),
		pt(1, 300, 100, true),
		pt(2, nan(), 100, false), // missing: does not end it
		pt(3, 100, nan(), false), // not judged: does not end it
		pt(4, 300, 100, true),
		pt(5, 100, 100, false), // within the band: ends it
		pt(6, 300, 100, true),
		pt(8, 300, 100, true), // the bucket between was not evaluated
	}
	got := incidents(pts, time.Hour, time.UTC)
	want := []Incident{
		{Start: b.Add(time.Hour), End: b.Add(5 * time.Hour), Alerts: 2},
		{Start: b.Add(6 * time.Hour), End: b.Add(9 * time.Hour), Alerts: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("incidents = %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) || got[i].Alerts != want[i].Alerts {
			t.Errorf("incident %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	res := BacktestResult{Incidents: got}
	if l, ok := res.Longest(); !ok || !l.Start.Equal(want[0].Start) || l.Duration() != 4*time.Hour {
		t.Errorf("Longest() = %+v, %v; want the first, 4h", l, ok)
	}
}

func TestBacktestErrors(t *testing.T) {
	from, to := at("2024-03-05T00:00:00Z"), at("2024-03-06T00:00:00Z")
	short := hourly("orders", &fakeSource{}, 0)
	short.Detector = detector.DetectorFunc(func(detector.Series, int) ([]detector.Point, error) {
		return nil, detector.ErrNotEnoughData
	})
	badSchedule := hourly("orders", &fakeSource{}, 0)
	badSchedule.Metric.Schedule = "every hour"
	tests := []struct {
		name     string
		rule     Rule
		from, to time.Time
		want     string
	}{
		{"source down", hourly("orders", &fakeSource{err: errors.New("connection refused")}, 0), from, to, "query fake: connection refused"},
		{"short history", short, from, to, "detect: not enough data"},
		{"empty range", hourly("orders", &fakeSource{}, 0), to, from, "is not before"},
		{"bad schedule", badSchedule, from, to, `schedule "every hour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Backtest(context.Background(), tt.rule, tt.from, tt.to)
			if err == nil || !strings.Contains(err.Error(), tt.want) || res.Err != err {
				t.Errorf("Backtest() = %v (result %v), want %q", err, res.Err, tt.want)
			}
		})
	}
	if _, err := Backtest(context.Background(), short, from, to); !errors.Is(err, detector.ErrNotEnoughData) {
		t.Errorf("Backtest() = %v, want it to wrap ErrNotEnoughData", err)
	}
}

func TestEngineBacktest(t *testing.T) {
	src := &fakeSource{}
	e := New([]Rule{hourly("a", src, 0), hourly("b", &fakeSource{err: errors.New("down")}, 0), hourly("c", src, 0)}, Options{})
	var calls [][2]int
	res := e.Backtest(context.Background(), at("2024-03-05T00:00:00Z"), at("2024-03-06T00:00:00Z"), []string{"c", "b"},
		func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if len(res) != 2 || res[0].Rule != "b" || res[1].Rule != "c" {
		t.Fatalf("Backtest() = %d results, want b then c", len(res))
	}
	if res[0].Err == nil || res[1].Err != nil || len(res[1].Points) != 24 {
		t.Errorf("errors %v and %v, %d verdicts for c; want b to fail and 24 verdicts for c", res[0].Err, res[1].Err, len(res[1].Points))
	}
	if len(calls) != 2 || calls[1] != [2]int{2, 2} {
		t.Errorf("progress calls %v, want 1/2 then 2/2", calls)
	}
}
