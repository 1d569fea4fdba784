package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/detector"
	"vigil/internal/state"
	"vigil/sources"
)

// instantSource answers at once with series made once per window: the same
// for every rule, except rules whose name ends in "!", whose latest bucket
// is anomalous. It sums the time its queries take.
type instantSource struct {
	series sync.Map     // window → detector.Series
	spent  atomic.Int64 // nanoseconds
}

func (s *instantSource) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	start := time.Now()
	defer func() { s.spent.Add(int64(time.Since(start))) }()
	bad := strings.HasSuffix(q.Rule, "!")
	key := [2]int64{q.From.Unix(), 0}
	if bad {
		key[1] = 1
	}
	if out, ok := s.series.Load(key); ok {
		return out.(detector.Series), nil
	}
	out := detector.Series{Start: q.From, Step: q.Granularity, Loc: q.Location}
	end, _ := out.Index(q.To)
	out.Values = make([]float64, end)
	for i := range out.Values {
		out.Values[i] = 100 + float64(i%7)
	}
	if bad {
		out.Values[end-1] = 200
	}
	s.series.Store(key, out)
	return out, nil
}

// leanDetector is bandDetector without growing its result as it goes, so
// that the benchmark measures the engine rather than a test detector.
var leanDetector = detector.DetectorFunc(func(s detector.Series, from int) ([]detector.Point, error) {
	pts := make([]detector.Point, 0, s.Len()-from)
	g := detector.Guards{Threshold: 4}
	for i := from; i < s.Len(); i++ {
		p := detector.Point{Index: i, Time: s.Time(i), Value: s.Values[i]}
		g.JudgeScale(&p, 100, 2.5, s.Values[i])
		pts = append(pts, p)
	}
	return pts, nil
})

// BenchmarkTick evaluates 10,000 hourly rules at each tick, one hour
// apart, with state on disk: 1% of the rules are anomalous, so incidents
// open and resolve and deliveries are recorded. It reports the engine's
// time per tick apart from the queries (which here only look up a prepared
// series), and memory: the heap that stays between ticks and the largest
// heap seen during one.
func BenchmarkTick(b *testing.B) {
	const n = 10000
	s, err := state.Open(filepath.Join(b.TempDir(), "state.db"), state.Options{Timeout: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	src := &instantSource{}
	rules := make([]Rule, n)
	for i := range rules {
		name := fmt.Sprintf("rule%05d", i)
		if i%100 == 0 {
			name += "!"
		}
		rules[i] = hourly(name, src, 0, &countingNotifier{})
		rules[i].NotifierNames = []string{"out"}
		rules[i].Detector = leanDetector
	}
	e := New(rules, Options{Store: s})
	ctx := context.Background()
	e.Once(ctx, evalAt(-1), nil) // the first tick judges no history
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
		}
	}()
	src.spent.Store(0)
	b.ResetTimer()
	for i := range b.N {
		res := e.Once(ctx, evalAt(i), nil)
		if res[0].Failed() || res[n-1].Failed() {
			b.Fatalf("tick %d: %v %v", i, res[0].Err, res[0].NotifyErr)
		}
	}
	b.StopTimer()
	close(stop)
	<-sampled
	elapsed := b.Elapsed()
	query := time.Duration(src.spent.Load())
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(elapsed-query/time.Duration(runtime.GOMAXPROCS(0)))/float64(b.N)/1e6, "engine-ms/tick")
	b.ReportMetric(float64(query)/float64(b.N)/1e6, "query-cpu-ms/tick")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(0, "ns/op") // the per-tick metrics above say it in units that read
	pending, _ := s.Pending(0)
	if len(pending) == 0 {
		b.Fatalf("no deliveries recorded: the anomalous rules did not fire")
	}
}
