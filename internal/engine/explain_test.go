package engine

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/config"
	"vigil/detector/explain"
	"vigil/notifiers"
	"vigil/sources"
)

// cubeSource is a fakeSource whose metric is the sum of leaves by country
// and platform: each leaf is 25 at every bucket except at drop, where the
// leaves of country BR are 5. It breaks the metric down from the leaves.
type cubeSource struct {
	fakeSource
	drop time.Time
	err  error

	mu   sync.Mutex
	reqs []explain.Request
}

var cubeLeaves = [][2]string{{"BR", "android"}, {"BR", "ios"}, {"US", "android"}, {"US", "ios"}}

func newCubeSource(drop time.Time) *cubeSource {
	c := &cubeSource{drop: drop}
	c.value = func(b time.Time) float64 {
		var sum float64
		for _, l := range cubeLeaves {
			sum += c.leaf(l, b)
		}
		return sum
	}
	return c
}

func (c *cubeSource) leaf(l [2]string, b time.Time) float64 {
	if b.Equal(c.drop) && l[0] == "BR" {
		return 5
	}
	return 25
}

func (c *cubeSource) Breakdown(ctx context.Context, q sources.Query, req explain.Request) ([]explain.Cell, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	var cells []explain.Cell
	for g, dims := range req.Groups {
		for _, l := range cubeLeaves {
			cell := explain.Cell{Group: g}
			for _, d := range dims {
				cell.Values = append(cell.Values, map[string]string{"country": l[0], "platform": l[1]}[d])
			}
			cell.Current = c.leaf(l, req.Current.From)
			for _, b := range req.Baseline {
				cell.Baseline += c.leaf(l, b.From) / float64(len(req.Baseline))
			}
			cells = append(cells, cell)
		}
	}
	return explain.Fold(req, cells, false)
}

func (c *cubeSource) requests() []explain.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]explain.Request(nil), c.reqs...)
}

// explained returns an hourly rule over src with dimensions, judged by
// bandDetector, whose threshold of 4 it declares.
func explained(src sources.Source, ns ...notifiers.Notifier) Rule {
	r := hourly("orders", src, 0, ns...)
	r.Metric.Dimensions = []string{"country", "platform"}
	r.Metric.Detect.Threshold = 4
	return r
}

func TestAlertCarriesExplanation(t *testing.T) {
	bucket := at("2024-03-05T09:00:00Z")
	src := newCubeSource(bucket)
	rec := &recorder{}
	res := New([]Rule{explained(Limit(src, 1), rec)}, Options{}).Once(context.Background(), at("2024-03-05T10:30:00Z"), nil)[0]
	sent := rec.sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d alerts, want 1", len(sent))
	}
	e := res.Explanation
	if e == nil {
		t.Fatalf("Result.Explanation = nil, want one")
	}
	ae := sent[0].Explanation
	if ae == nil || ae.Sentence != e.Sentence || len(ae.Contributors) == 0 ||
		len(ae.Contributors[0].Segment) == 0 || ae.Contributors[0].Segment[0] != (notifiers.SegmentValue{Dimension: "country", Value: "BR"}) {
		t.Fatalf("alert Explanation = %+v, want the result's sentence and country=BR first", ae)
	}
	if e.Verdict != explain.Explained || len(e.Contributors) == 0 || e.Contributors[0].Segment["country"] != "BR" {
		t.Errorf("explanation %q (%s), want country=BR to explain the drop", e.Sentence, e.Verdict)
	}
	if e.Actual != 60 || e.Expected != 100 {
		t.Errorf("explanation of %v against %v, want 60 against 100", e.Actual, e.Expected)
	}
	reqs := src.requests()
	if len(reqs) == 0 {
		t.Fatal("no breakdown was asked for")
	}
	b := reqs[0].Baseline
	if len(b) != maxBaseline || !b[len(b)-1].From.Equal(bucket.Add(-time.Hour)) || !reqs[0].Current.From.Equal(bucket) {
		t.Errorf("first request: current %v, %d baseline buckets ending %v; want %v and the %d hours before it",
			reqs[0].Current, len(b), b[len(b)-1], bucket, maxBaseline)
	}
	if _, err := json.Marshal(sent[0]); err != nil {
		t.Errorf("alert with explanation does not marshal: %v", err)
	}
}

func TestAlertWithoutExplanation(t *testing.T) {
	bucket := at("2024-03-05T09:00:00Z")
	failing := newCubeSource(bucket)
	failing.err = errors.New("table vanished")
	tests := []struct {
		name string
		rule Rule
		note string // "" when the alert carries no explanation at all
	}{
		{"breakdown fails", explained(Limit(failing, 1)), "no explanation: explain orders: breakdown by country; platform: table vanished"},
		{"source cannot break down", explained(Limit(&fakeSource{value: newCubeSource(bucket).value}, 1)), "cannot break metrics down"},
		{"no dimensions", hourly("orders", newCubeSource(bucket), 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			tt.rule.Notifiers = []notifiers.Notifier{rec}
			res := New([]Rule{tt.rule}, Options{}).Once(context.Background(), at("2024-03-05T10:30:00Z"), nil)[0]
			sent := rec.sent()
			if len(sent) != 1 || res.Failed() {
				t.Fatalf("sent %d alerts (failed: %v), want the alert to go out", len(sent), res.Failed())
			}
			if tt.note == "" {
				if sent[0].Explanation != nil {
					t.Errorf("Explanation = %#v, want none", sent[0].Explanation)
				}
				return
			}
			e := res.Explanation
			if e == nil || len(e.Notes) != 1 || !strings.Contains(e.Notes[0], tt.note) {
				t.Fatalf("Explanation = %+v, want a note containing %q", e, tt.note)
			}
			if ae := sent[0].Explanation; ae == nil || len(ae.Notes) != 1 || ae.Notes[0] != e.Notes[0] {
				t.Errorf("alert Explanation = %+v, want the note", ae)
			}
			if e.Actual != 60 || e.Expected != 100 || e.Metric != "orders" {
				t.Errorf("Explanation says %s %v against %v, want orders 60 against 100", e.Metric, e.Actual, e.Expected)
			}
		})
	}
}

func TestEngineExplain(t *testing.T) {
	bucket := at("2024-03-05T09:00:00Z")
	src := newCubeSource(bucket)
	e := New([]Rule{explained(src)}, Options{Now: func() time.Time { return at("2024-03-05T09:30:00Z") }})
	res, x, err := e.Explain(context.Background(), "orders", at("2024-03-05T09:59:59Z"))
	if err != nil {
		t.Fatalf("Explain: %v", err)
	}
	if !res.Bucket.Equal(bucket) || res.Verdict() != VerdictAnomaly {
		t.Errorf("Result bucket %v verdict %v, want %v ANOMALY", res.Bucket, res.Verdict(), bucket)
	}
	if x.Contributors[0].Segment["country"] != "BR" {
		t.Errorf("explanation %q, want country=BR first", x.Sentence)
	}
	if len(x.Notes) != 1 || !strings.Contains(x.Notes[0], "settles only at 2024-03-05 10:00 UTC") {
		t.Errorf("Notes = %q, want one saying the bucket has not settled", x.Notes)
	}

	// A bucket that is not anomalous is explained too.
	res, x, err = e.Explain(context.Background(), "orders", at("2024-03-05T07:10:00Z"))
	if err != nil || res.Verdict() != VerdictOK || x.Delta != 0 {
		t.Errorf("Explain(normal bucket) = %v, %+v, %v; want an OK bucket explained", res.Verdict(), x, err)
	}

	if _, _, err := e.Explain(context.Background(), "revenue", bucket); err == nil || !strings.Contains(err.Error(), "the rules are: orders") {
		t.Errorf("Explain(unknown rule) = %v, want an error listing the rules", err)
	}
	plain := New([]Rule{hourly("orders", src, 0)}, Options{})
	if _, _, err := plain.Explain(context.Background(), "orders", bucket); err == nil || !strings.Contains(err.Error(), "no dimensions") {
		t.Errorf("Explain(no dimensions) = %v, want an error saying so", err)
	}
}

func TestBaseline(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	week, day := 7*24*time.Hour, 24*time.Hour
	tests := []struct {
		name        string
		gran        time.Duration
		seasonality string
		history     time.Duration
		at          time.Time
		loc         *time.Location
		n           int
		first       time.Time
	}{
		{"weekly hourly", time.Hour, "weekly", 8 * week, at("2024-03-05T14:00:00Z"), time.UTC, 8, at("2024-01-09T14:00:00Z")},
		{"daily seasons capped", time.Hour, "daily", 8 * week, at("2024-03-05T14:00:00Z"), time.UTC, maxBaseline, at("2024-02-06T14:00:00Z")},
		{"no seasonality", 15 * time.Minute, "none", 2 * day, at("2024-03-05T14:00:00Z"), time.UTC, maxBaseline, at("2024-03-05T07:00:00Z")},
		{"calendar days across DST", day, "weekly", 4 * week, time.Date(2024, 4, 2, 0, 0, 0, 0, berlin), berlin, 4,
			time.Date(2024, 3, 5, 0, 0, 0, 0, berlin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := config.Metric{Granularity: tt.gran, Detect: config.Detect{Seasonality: tt.seasonality, History: tt.history}}
			got := baseline(m, tt.at, tt.loc)
			if len(got) != tt.n || !got[0].From.Equal(tt.first) {
				t.Fatalf("baseline = %d buckets from %v, want %d from %v", len(got), got[0].From, tt.n, tt.first)
			}
			last := got[len(got)-1]
			if !last.To.Before(tt.at.Add(time.Second)) || last.To.Sub(last.From) <= 0 {
				t.Errorf("last baseline bucket %v, want one ending by %v", last, tt.at)
			}
		})
	}
}

func TestLimitBreaksDown(t *testing.T) {
	src := newCubeSource(time.Time{})
	b, ok := Limit(src, 1).(sources.Breakdowner)
	if !ok {
		t.Fatal("Limit does not break down")
	}
	req := explain.Request{Groups: [][]string{{"country"}}, Current: explain.Bucket(at("2024-03-05T09:00:00Z"), time.Hour, nil),
		Baseline: []explain.Range{explain.Bucket(at("2024-03-05T08:00:00Z"), time.Hour, nil)}}
	if cells, err := b.Breakdown(context.Background(), sources.Query{}, req); err != nil || len(cells) != 2 {
		t.Errorf("Breakdown = %v, %v; want the two countries", cells, err)
	}
	plain := Limit(&fakeSource{}, 1).(sources.Breakdowner)
	if _, err := plain.Breakdown(context.Background(), sources.Query{}, req); !errors.Is(err, errNoBreakdown) {
		t.Errorf("Breakdown on a source without it = %v, want errNoBreakdown", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	busy := Limit(src, 1).(*limited)
	busy.slots <- struct{}{}
	if _, err := busy.Breakdown(ctx, sources.Query{}, req); err == nil || !strings.Contains(err.Error(), "query slot") {
		t.Errorf("Breakdown with no free slot and a cancelled context = %v, want a wait error", err)
	}
}
