package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"vigil/detector"
	"vigil/notifiers"
	"vigil/sources"
)

// flakySource fails its first fails queries.
type flakySource struct {
	mu    sync.Mutex
	fails int
	calls int
}

func (f *flakySource) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.fails
	f.mu.Unlock()
	if fail {
		return detector.Series{}, errors.New("connection reset")
	}
	return (&fakeSource{}).Query(ctx, q)
}

func TestRetry(t *testing.T) {
	tests := []struct {
		name     string
		fails    int
		timeout  time.Duration
		wantErr  string
		calls    int
		counted  int
		duration time.Duration
	}{
		{"first try works", 0, time.Minute, "", 1, 0, 0},
		{"second try works", 1, time.Minute, "", 2, 1, time.Second},
		{"gives up after three", 5, time.Minute, "connection reset (tried 3 times)", 3, 3, 3 * time.Second},
		{"no retry that cannot finish in time", 5, 3 * time.Second, "connection reset (tried 2 times)", 2, 2, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := &flakySource{fails: tt.fails}
				var counted []string
				var mu sync.Mutex
				r := Retry(src, "warehouse", func(rule, source string) {
					mu.Lock()
					counted = append(counted, rule+"@"+source)
					mu.Unlock()
				}).(*retrying)
				r.sleep = func(ctx context.Context, d time.Duration) error {
					// the jitter adds at most half: round it off to check the schedule
					return notifiers.Sleep(ctx, d.Truncate(time.Second))
				}
				ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
				defer cancel()
				start := time.Now()
				_, err := r.Query(ctx, sources.Query{Rule: "orders", Granularity: time.Hour, From: h0, To: hour(2)})
				if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
					t.Errorf("Query() error = %v, want %q", err, tt.wantErr)
				}
				if src.calls != tt.calls || len(counted) != tt.counted {
					t.Errorf("calls = %d, counted failures = %d; want %d and %d", src.calls, len(counted), tt.calls, tt.counted)
				}
				if len(counted) > 0 && counted[0] != "orders@warehouse" {
					t.Errorf("failure counted as %q, want orders@warehouse", counted[0])
				}
				if got := time.Since(start); got != tt.duration {
					t.Errorf("Query() took %v, want %v", got, tt.duration)
				}
			})
		})
	}
}

// TestHungSourceDelaysNoOtherRule runs the daemon's scheduler with one
// source that never answers and a rule on another source, and a rule that
// hangs beside others on a shared source limited to two queries: the
// other rules are evaluated every second on time.
func TestHungSourceDelaysNoOtherRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := Limit(&gatedSource{gate: make(chan struct{})}, 2)
		good := &fakeSource{}
		slowTable := &gatedSource{gate: make(chan struct{})}
		shared := Limit(routedSource{"slow": slowTable, "": good}, 2)
		every := func(name string, src sources.Source) Rule {
			r := hourly(name, src, 0)
			r.Metric.Granularity = time.Second
			r.Metric.Schedule = "@every 1s"
			r.Metric.Detect.History = 10 * time.Second
			r.Timeout = 30 * time.Second
			return r
		}
		var rules []Rule
		for _, n := range []string{"h1", "h2", "h3"} {
			rules = append(rules, every(n, hung))
		}
		rules = append(rules, every("slow", shared), every("a", shared), every("b", shared), every("c", good))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- New(rules, Options{}).Run(ctx) }()
		time.Sleep(5500 * time.Millisecond)
		synctest.Wait()
		counts := map[string]int{}
		good.mu.Lock()
		for _, q := range good.queries {
			counts[q.Rule]++
		}
		good.mu.Unlock()
		for _, rule := range []string{"a", "b", "c"} {
			if counts[rule] != 6 {
				t.Errorf("rule %s evaluated %d times in 5.5s, want 6 (at start and every second)", rule, counts[rule])
			}
		}
		cancel()
		close(slowTable.gate)
		if err := <-done; err != nil {
			t.Errorf("Run() = %v", err)
		}
	})
}

// routedSource sends a rule's queries to the source named after the rule,
// others to the one named "".
type routedSource map[string]sources.Source

func (r routedSource) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	if src, ok := r[q.Rule]; ok {
		return src.Query(ctx, q)
	}
	return r[""].Query(ctx, q)
}

func TestUnwrap(t *testing.T) {
	inner := &fakeSource{}
	if got := unwrap(Retry(Limit(inner, 1), "x", nil)); got != inner {
		t.Errorf("unwrap() = %T, want the inner source", got)
	}
	if s, err := Retry(Limit(inner, 1), "x", nil).(renderer).Render(sources.Query{Rule: "r"}); err != nil || !strings.Contains(s, "SELECT r") {
		t.Errorf("Render() through the wrappers = %q, %v", s, err)
	}
}
