package engine

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/notifiers"
	"vigil/sources"
	"vigil/sources/duckdb"
)

// countingSource counts the queries that reach src.
type countingSource struct {
	src sources.Source
	n   atomic.Int64
}

func (c *countingSource) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	c.n.Add(1)
	return c.src.Query(ctx, q)
}

// countingNotifier counts what it is sent.
type countingNotifier struct{ n atomic.Int64 }

func (c *countingNotifier) Notify(context.Context, notifiers.Alert) (bool, error) {
	c.n.Add(1)
	return false, nil
}

// TestSoak runs hundreds of rules every second against DuckDB, with state
// and deliveries, for a minute (a few seconds with -short), sampling the Go
// heap after a collection each second. The heap of the second half stays
// within a tolerance of the first half's, no goroutine is left behind,
// every evaluation is counted by the observer (one per query), nothing
// fails, and every delivery is sent.
func TestSoak(t *testing.T) {
	dur, rules := time.Minute, 300
	if testing.Short() {
		dur, rules = 8*time.Second, 100
	}
	runtime.GC()
	goroutines := runtime.NumGoroutine()
	ctx := context.Background()
	// One row a second per key k for 0..9 over the run, 150 when the
	// second and k make a multiple of 11, else 100 (sum per key and second).
	start := time.Now().Add(-5 * time.Minute).Truncate(time.Second)
	end := time.Now().Add(dur + time.Minute)
	table := fmt.Sprintf(`CREATE TABLE m AS SELECT ts, k, CASE WHEN (epoch(ts)::BIGINT + k) %% 11 = 0 THEN 150.0 ELSE 100.0 END AS v
		FROM range(TIMESTAMP '%s', TIMESTAMP '%s', INTERVAL 1 SECOND) t(ts), range(10) r(k)`,
		start.UTC().Format(time.DateTime), end.UTC().Format(time.DateTime))
	db, err := duckdb.Open(ctx, duckdb.Options{Init: []string{table}})
	check(t, err)
	defer db.Close()
	src := &countingSource{src: db}
	obs := newObserver()
	shared := Retry(Limit(src, 4), "local", obs.QueryError)

	s := openStore(t)
	out := &countingNotifier{}
	o := NewOutbox(s, OutboxOptions{Observer: obs})
	var rs []Rule
	for i := range rules {
		r := hourly(fmt.Sprintf("r%03d", i), shared, 0, out)
		r.NotifierNames = []string{"out"}
		r.Metric.Table, r.Metric.Timestamp, r.Metric.Value = "m", "ts", "sum(v)"
		r.Metric.Filter = fmt.Sprintf("k = %d", i%10)
		r.Metric.Granularity, r.Metric.Schedule = time.Second, "@every 1s"
		r.Metric.Detect.History = 30 * time.Second
		r.Metric.Alerting = config.Alerting{ResolveAfter: 2, ReopenWithin: 3, CatchUp: 24, FailingAfter: 3}
		r.Timeout = 10 * time.Second
		rs = append(rs, r)
	}
	e := New(rs, Options{Store: s, Outbox: o, Observer: obs})
	o.Use(e)
	runCtx, stop := context.WithCancel(ctx)
	outCtx, stopOut := context.WithCancel(ctx)
	ran, delivered := make(chan error), make(chan error)
	go func() { ran <- e.Run(runCtx) }()
	go func() { delivered <- o.Run(outCtx, 30*time.Second) }()

	var heap []float64
	var backlog int // most deliveries pending at a sample
	for range int(dur / time.Second) {
		time.Sleep(time.Second)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = append(heap, float64(ms.HeapAlloc)/(1<<20))
		if p, err := s.Pending(0); err == nil {
			backlog = max(backlog, len(p))
		}
	}
	stop()
	check(t, <-ran)
	stopOut()
	check(t, <-delivered)

	// The heap at a sample holds the evaluations and deliveries in flight,
	// which come and go; what a leak raises is the floor under them.
	first, second := slices.Min(heap[1:len(heap)/2]), slices.Min(heap[len(heap)/2:])
	t.Logf("%d rules for %v: %d evaluations %v, %d deliveries (at most %d pending); heap floor %.1f MB then %.1f MB, median %.1f then %.1f; rss %s",
		rules, dur, obs.total(), obs.evaluations, out.n.Load(), backlog, first, second,
		median(heap[1:len(heap)/2]), median(heap[len(heap)/2:]), rss())
	if second > first*1.25+1 {
		t.Errorf("heap floor grew from %.1f MB to %.1f MB between the halves: %.1f", first, second, heap)
	}
	// Each evaluation makes one query, but one that the stop cut short
	// while it waited for a query slot makes none.
	total, stopped := int64(obs.total()), int64(obs.evaluations[resultStopped])
	if q := src.n.Load(); q < total-stopped || q > total || obs.queryErrors > 0 {
		t.Errorf("observer counted %d evaluations (%v), the source answered %d queries, %d failed", total, obs.evaluations, q, obs.queryErrors)
	}
	if n := obs.total(); n < rules*int(dur/time.Second)/2 {
		t.Errorf("%d evaluations in %v of %d rules every second, want at least half the %d scheduled", n, dur, rules, rules*int(dur/time.Second))
	}
	if obs.evaluations[resultError]+obs.evaluations[resultNoData] > 0 || obs.evaluations[resultAnomaly] == 0 || obs.evaluations[resultStopped] > rules {
		t.Errorf("evaluations = %v, want no errors, no missing data, and some anomalies", obs.evaluations)
	}
	pending, err := s.Pending(0)
	if err != nil || len(pending) > 0 || out.n.Load() == 0 || obs.deliveries[deliveryFailed] > 0 {
		t.Errorf("after the run: %d pending (%v), %d sent, %v", len(pending), err, out.n.Load(), obs.deliveries)
	}
	db.Close()
	s.Close()
	leaked := 0
	for range 50 { // goroutines of stopped timers and connections take a moment to end
		runtime.GC()
		if leaked = runtime.NumGoroutine() - goroutines; leaked <= 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if leaked > 2 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines more than before the run:\n%s", leaked, buf[:runtime.Stack(buf, true)])
	}
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

// rss reads the process's resident memory, for the log.
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
