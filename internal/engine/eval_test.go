package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"vigil/detector"
)

func TestLatestSettled(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		now   string
		gran  time.Duration
		delay time.Duration
		loc   *time.Location
		want  string
	}{
		{"hourly mid bucket", "2024-03-05T10:30:00Z", time.Hour, 0, time.UTC, "2024-03-05T09:00:00Z"},
		{"hourly at the boundary", "2024-03-05T10:00:00Z", time.Hour, 0, time.UTC, "2024-03-05T09:00:00Z"},
		{"just before the boundary", "2024-03-05T09:59:59Z", time.Hour, 0, time.UTC, "2024-03-05T08:00:00Z"},
		{"two hour delay", "2024-03-05T10:30:00Z", time.Hour, 2 * time.Hour, time.UTC, "2024-03-05T07:00:00Z"},
		{"delay settles exactly now", "2024-03-05T11:00:00Z", time.Hour, 2 * time.Hour, time.UTC, "2024-03-05T08:00:00Z"},
		{"15 minutes", "2024-03-05T10:44:00Z", 15 * time.Minute, 5 * time.Minute, time.UTC, "2024-03-05T10:15:00Z"},
		{"daily in New York", "2024-03-05T10:30:00Z", 24 * time.Hour, time.Hour, ny, "2024-03-04T00:00:00-05:00"},
		{"daily before the delay passes", "2024-03-05T05:30:00Z", 24 * time.Hour, time.Hour, ny, "2024-03-03T00:00:00-05:00"},
		{"daily after a DST change", "2024-03-11T12:00:00Z", 24 * time.Hour, 0, ny, "2024-03-10T00:00:00-05:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LatestSettled(at(tt.now), tt.gran, tt.delay, tt.loc)
			if want := at(tt.want); !got.Equal(want) {
				t.Errorf("LatestSettled(%s, %v, %v) = %s, want %s", tt.now, tt.gran, tt.delay, got, want)
			}
			if end := shift(got, tt.gran, tt.loc, 1); end.Add(tt.delay).After(at(tt.now)) {
				t.Errorf("bucket %s ends at %s: not settled at %s", got, end, tt.now)
			}
		})
	}
}

// TestOnceNeverJudgesPartialBucket gives the open bucket, and the ones
// still inside the settle delay, values far outside the band: the verdict
// must fall on the latest settled bucket, which is normal.
func TestOnceNeverJudgesPartialBucket(t *testing.T) {
	now := at("2024-03-05T10:30:00Z")
	tests := []struct {
		name   string
		delay  time.Duration
		extra  int
		bucket string
	}{
		{"no delay", 0, 0, "2024-03-05T09:00:00Z"},
		{"two hour delay", 2 * time.Hour, 0, "2024-03-05T07:00:00Z"},
		{"source returns buckets past the window", 2 * time.Hour, 3, "2024-03-05T07:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settled := at(tt.bucket)
			src := &fakeSource{extra: tt.extra, value: func(b time.Time) float64 {
				if b.After(settled) {
					return 3 // partial: would be an anomaly
				}
				return 101
			}}
			rec := &recorder{}
			e := New([]Rule{hourly("orders", src, tt.delay, rec)}, Options{})
			res := e.Once(context.Background(), now, nil)
			if len(res) != 1 {
				t.Fatalf("Once() = %d results, want 1", len(res))
			}
			r := res[0]
			if r.Err != nil {
				t.Fatalf("Once() error = %v", r.Err)
			}
			p, ok := r.Latest()
			if !ok || !p.Time.Equal(settled) || !r.Bucket.Equal(settled) {
				t.Errorf("judged bucket = %s (ok %v), want %s", p.Time, ok, settled)
			}
			if got := r.Verdict(); got != VerdictOK {
				t.Errorf("verdict = %s, want OK", got)
			}
			for _, p := range r.Points {
				if p.Time.After(settled) {
					t.Errorf("judged unsettled bucket %s", p.Time)
				}
			}
			if len(r.Points) != judged {
				t.Errorf("judged %d buckets, want %d", len(r.Points), judged)
			}
			q := src.last()
			if want := settled.Add(time.Hour); !q.To.Equal(want) {
				t.Errorf("query To = %s, want %s", q.To, want)
			}
			if want := settled.Add(-time.Duration(judged-1+7*24) * time.Hour); !q.From.Equal(want) {
				t.Errorf("query From = %s, want %s", q.From, want)
			}
			if n := len(rec.sent()); n != 0 {
				t.Errorf("sent %d alerts, want 0", n)
			}
		})
	}
}

func TestOnceVerdicts(t *testing.T) {
	now := at("2024-03-05T10:30:00Z")
	boom := errors.New("connection refused")
	tests := []struct {
		name string
		src  *fakeSource
		want Verdict
	}{
		{"normal", &fakeSource{}, VerdictOK},
		{"anomaly", &fakeSource{value: func(time.Time) float64 { return 150 }}, VerdictAnomaly},
		{"missing bucket", &fakeSource{value: func(time.Time) float64 { return nan() }}, VerdictNoData},
		{"query fails", &fakeSource{err: boom}, VerdictError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New([]Rule{hourly("m", tt.src, 0)}, Options{}).Once(context.Background(), now, nil)[0]
			if got := r.Verdict(); got != tt.want {
				t.Errorf("Verdict() = %s, want %s (err %v)", got, tt.want, r.Err)
			}
		})
	}
}

func TestOnceNotEnoughHistoryIsNoData(t *testing.T) {
	rule := hourly("m", &fakeSource{}, 0)
	rule.Detector = detector.DetectorFunc(func(detector.Series, int) ([]detector.Point, error) {
		return nil, fmt.Errorf("seasonal: %w", detector.ErrNotEnoughData)
	})
	r := New([]Rule{rule}, Options{}).Once(context.Background(), at("2024-03-05T10:30:00Z"), nil)[0]
	if got := r.Verdict(); got != VerdictNoData || r.Failed() {
		t.Errorf("Verdict() = %s, Failed() = %v, want NO DATA and not failed", got, r.Failed())
	}
}

// TestOnceFailingRuleDoesNotStopOthers runs a failing rule between two
// good ones and expects results for all three, in rule order.
func TestOnceFailingRuleDoesNotStopOthers(t *testing.T) {
	boom := errors.New("connection refused")
	e := New([]Rule{
		hourly("a", &fakeSource{}, 0),
		hourly("b", &fakeSource{err: boom}, 0),
		hourly("c", &fakeSource{}, 0),
	}, Options{})
	res := e.Once(context.Background(), at("2024-03-05T10:30:00Z"), nil)
	var got []string
	for _, r := range res {
		got = append(got, r.Rule+"="+r.Verdict().String())
	}
	if want := []string{"a=OK", "b=ERROR", "c=OK"}; !equal(got, want) {
		t.Errorf("Once() = %v, want %v", got, want)
	}
	if !errors.Is(res[1].Err, boom) {
		t.Errorf("Once() error = %v, want it to wrap %v", res[1].Err, boom)
	}
}

func TestOnceOnly(t *testing.T) {
	e := New([]Rule{hourly("a", &fakeSource{}, 0), hourly("b", &fakeSource{}, 0), hourly("c", &fakeSource{}, 0)}, Options{})
	res := e.Once(context.Background(), at("2024-03-05T10:30:00Z"), []string{"c", "a"})
	var got []string
	for _, r := range res {
		got = append(got, r.Rule)
	}
	if want := []string{"a", "c"}; !equal(got, want) {
		t.Errorf("Once(only c, a) rules = %v, want %v", got, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOnceMissingBucketAlertsWhenAsked checks that a missing latest bucket
// is an anomaly, not "no data", when the rule's detector says so (missing:
// alert), and that the alert goes out.
func TestOnceMissingBucketAlertsWhenAsked(t *testing.T) {
	now := at("2024-03-05T10:30:00Z")
	rec := &recorder{}
	src := &fakeSource{value: func(ts time.Time) float64 {
		if ts.Equal(at("2024-03-05T09:00:00Z")) {
			return nan()
		}
		return 100
	}}
	r := hourly("m", src, 0, rec)
	r.Detector = detector.Missing(r.Detector, true)
	res := New([]Rule{r}, Options{}).Once(context.Background(), now, nil)[0]
	if got := res.Verdict(); got != VerdictAnomaly {
		t.Fatalf("Verdict() = %s, want %s (err %v)", got, VerdictAnomaly, res.Err)
	}
	if n := len(rec.sent()); n != 1 {
		t.Errorf("sent %d alerts, want 1", n)
	}
}
