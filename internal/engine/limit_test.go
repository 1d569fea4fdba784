package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"vigil/detector"
	"vigil/sources"
)

// gatedSource blocks every query until gate is closed and counts how many
// are in flight.
type gatedSource struct {
	gate chan struct{}

	mu            sync.Mutex
	inflight, max int
}

func (g *gatedSource) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	g.mu.Lock()
	g.inflight++
	g.max = max(g.max, g.inflight)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inflight--
		g.mu.Unlock()
	}()
	select {
	case <-g.gate:
	case <-ctx.Done():
		return detector.Series{}, ctx.Err()
	}
	return (&fakeSource{}).Query(ctx, q)
}

func (g *gatedSource) counts() (inflight, max int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inflight, g.max
}

// TestOnceRespectsSourceLimit runs six rules on one source limited to two
// queries at once: two run, the others wait until they finish.
func TestOnceRespectsSourceLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gatedSource{gate: make(chan struct{})}
		src := Limit(g, 2)
		var rules []Rule
		for i := range 6 {
			rules = append(rules, hourly(fmt.Sprintf("r%d", i), src, 0))
		}
		done := make(chan []Result)
		go func() { done <- New(rules, Options{}).Once(context.Background(), at("2024-03-05T10:30:00Z"), nil) }()
		synctest.Wait() // every rule has started or is waiting for a slot
		if inflight, _ := g.counts(); inflight != 2 {
			t.Errorf("queries in flight = %d, want 2", inflight)
		}
		close(g.gate)
		res := <-done
		for _, r := range res {
			if r.Err != nil {
				t.Errorf("rule %s: %v", r.Rule, r.Err)
			}
		}
		if _, most := g.counts(); most != 2 {
			t.Errorf("most queries in flight = %d, want 2", most)
		}
	})
}

// TestOnceTimeout gives one rule a source that never answers: it fails
// with the deadline once its timeout passes, and the other rule is judged.
func TestOnceTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stuck := hourly("stuck", &gatedSource{gate: make(chan struct{})}, 0)
		stuck.Timeout = 30 * time.Second
		start := time.Now()
		res := New([]Rule{stuck, hourly("ok", &fakeSource{}, 0)}, Options{}).
			Once(context.Background(), at("2024-03-05T10:30:00Z"), nil)
		if !errors.Is(res[0].Err, context.DeadlineExceeded) {
			t.Errorf("stuck rule error = %v, want deadline exceeded", res[0].Err)
		}
		if got := time.Since(start); got != 30*time.Second {
			t.Errorf("Once() took %v, want the 30s timeout", got)
		}
		if got := res[1].Verdict(); got != VerdictOK {
			t.Errorf("other rule verdict = %s, want OK", got)
		}
	})
}

// TestLimitWaitHonoursContext: a query waiting for a slot gives up when
// its context ends.
func TestLimitWaitHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gatedSource{gate: make(chan struct{})}
		src := Limit(g, 1)
		go src.Query(context.Background(), sources.Query{Granularity: time.Hour})
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := src.Query(ctx, sources.Query{Granularity: time.Hour})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Query() error = %v, want deadline exceeded", err)
		}
		close(g.gate)
	})
}

func TestLimitRenders(t *testing.T) {
	got, err := Limit(&fakeSource{}, 1).(renderer).Render(sources.Query{Rule: "orders"})
	if err != nil || got != "SELECT orders" {
		t.Errorf("Render() = %q, %v, want %q", got, err, "SELECT orders")
	}
	if _, err := Limit(&gatedSource{}, 1).(renderer).Render(sources.Query{}); !errors.Is(err, errNoRender) {
		t.Errorf("Render() error = %v, want %v", err, errNoRender)
	}
}
