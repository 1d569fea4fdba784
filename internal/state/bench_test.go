package state

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmark fixture: 10,000 rules' progress and 100,000 sent
// deliveries (about 200 bytes of payload each) for 10,000 resolved
// incidents, built once and copied for each benchmark.
const (
	benchRules      = 10_000
	benchDeliveries = 100_000
	benchBatch      = 5_000
)

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixturePath string
	fixtureErr  error
)

func benchPayload(i int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"text":"Orders were 3,210 at 14:00 UTC, 27%% below the expected 4,400.","rule":"rule-%d","value":3210,"expected":4400}`, i%benchRules))
}

func buildFixture() {
	fixtureDir, fixtureErr = os.MkdirTemp("", "vigil-state-bench-")
	if fixtureErr != nil {
		return
	}
	fixturePath = filepath.Join(fixtureDir, "state.db")
	s, err := Open(fixturePath, testOptions())
	if err != nil {
		fixtureErr = err
		return
	}
	defer s.Close()
	fixtureErr = s.Update(func(tx *Tx) error {
		for r := range benchRules {
			if err := tx.SetLastJudged(fmt.Sprintf("rule-%d", r), t0); err != nil {
				return err
			}
		}
		return nil
	})
	for start := 0; start < benchDeliveries && fixtureErr == nil; start += benchBatch {
		fixtureErr = s.Update(func(tx *Tx) error { return fillDeliveries(tx, start, start+benchBatch) })
	}
}

func fillDeliveries(tx *Tx, from, to int) error {
	for i := from; i < to; i++ {
		if i%10 == 0 {
			inc := firing(fmt.Sprintf("rule-%d", (i/10)%benchRules), fmt.Sprintf("s%d", i), t0.Add(time.Duration(i)*time.Minute))
			inc.State, inc.ResolvedAt = Resolved, inc.Start.Add(time.Hour)
			if err := tx.PutIncident(&inc); err != nil {
				return err
			}
		}
		id := fmt.Sprintf("inc-%d", i/10)
		d := Delivery{Key: DeliveryKey(id, EventOpen, i, "growth"), Incident: id, Notifier: "growth", Event: EventOpen, Payload: benchPayload(i)}
		if _, _, err := tx.Enqueue(d); err != nil {
			return err
		}
		if err := tx.MarkSent(d.Key, "1714572000.000100", t0); err != nil {
			return err
		}
	}
	return nil
}

// benchStore opens a private copy of the fixture.
func benchStore(b *testing.B) *Store {
	b.Helper()
	fixtureOnce.Do(buildFixture)
	if fixtureErr != nil {
		b.Fatalf("fixture: %v", fixtureErr)
	}
	path := filepath.Join(b.TempDir(), "state.db")
	copyFile(b, fixturePath, path)
	s, err := Open(path, testOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func copyFile(b *testing.B, from, to string) {
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}

func reportSize(b *testing.B, s *Store) {
	info, err := os.Stat(s.Path())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(info.Size())/1e6, "file-MB")
}

// BenchmarkSetLastJudged: one durable transaction per op, over 10,000 rules.
func BenchmarkSetLastJudged(b *testing.B) {
	s := benchStore(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := s.SetLastJudged(fmt.Sprintf("rule-%d", i%benchRules), t0.Add(time.Duration(i)*time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
	reportSize(b, s)
}

// BenchmarkSetLastJudgedParallel: many rules finishing at once, each in
// its own Update (one fsync each) or through Batch (shared fsyncs).
func BenchmarkSetLastJudgedParallel(b *testing.B) {
	for _, mode := range []string{"Update", "Batch"} {
		b.Run(mode, func(b *testing.B) {
			s := benchStore(b)
			run := s.Update
			if mode == "Batch" {
				run = s.Batch
			}
			var next atomic.Int64
			b.SetParallelism(32) // goroutines per CPU, as many rules' jobs
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					err := run(func(tx *Tx) error {
						return tx.SetLastJudged(fmt.Sprintf("rule-%d", i%benchRules), t0.Add(time.Duration(i)*time.Hour))
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// BenchmarkEvent is what the engine does for one alert event: update the
// incident, enqueue two deliveries and move the rule on, in one transaction.
func BenchmarkEvent(b *testing.B) {
	s := benchStore(b)
	inc := firing("orders", "", t0)
	if err := s.PutIncident(&inc); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := s.Update(func(tx *Tx) error {
			if _, err := tx.UpdateIncident(inc.ID, func(x *Incident) error { x.Notifications++; return nil }); err != nil {
				return err
			}
			for _, n := range []string{"growth", "console"} {
				d := Delivery{Key: DeliveryKey(inc.ID, EventUpdate, i, n), Incident: inc.ID, Notifier: n, Event: EventUpdate, Payload: benchPayload(i)}
				if _, _, err := tx.Enqueue(d); err != nil {
					return err
				}
			}
			return tx.SetLastJudged("orders", t0.Add(time.Duration(i)*time.Hour))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	reportSize(b, s)
}

// BenchmarkEnqueueMarkSent: a delivery's life, two transactions, on top
// of 100,000 earlier deliveries.
func BenchmarkEnqueueMarkSent(b *testing.B) {
	s := benchStore(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d := Delivery{Key: DeliveryKey("bench", EventOpen, i, "growth"), Incident: "bench", Notifier: "growth", Event: EventOpen, Payload: benchPayload(i)}
		if _, _, err := s.Enqueue(d); err != nil {
			b.Fatal(err)
		}
		if err := s.MarkSent(d.Key, "ts", t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	reportSize(b, s)
}

// BenchmarkEnqueueBatch: 1,000 deliveries per transaction, the rate when
// fsync is shared.
func BenchmarkEnqueueBatch(b *testing.B) {
	s := benchStore(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := s.Update(func(tx *Tx) error {
			for j := range 1000 {
				d := Delivery{Key: DeliveryKey("batch", EventOpen, i*1000+j, "growth"), Notifier: "growth", Event: EventOpen, Payload: benchPayload(j)}
				if _, _, err := tx.Enqueue(d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkOpen: start-up on the fixture, including the full walk and
// bbolt's consistency check.
func BenchmarkOpen(b *testing.B) {
	s := benchStore(b)
	path := s.Path()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		s, err := Open(path, testOptions())
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	info, _ := os.Stat(path)
	b.ReportMetric(float64(info.Size())/1e6, "file-MB")
	b.ReportMetric(float64(info.Size())/float64(benchDeliveries+benchRules+benchDeliveries/10), "bytes/record")
}

// BenchmarkPending: the dispatcher's poll with 100,000 finished deliveries
// in the file and 100 pending.
func BenchmarkPending(b *testing.B) {
	s := benchStore(b)
	for i := range 100 {
		if _, _, err := s.Enqueue(Delivery{Key: fmt.Sprintf("p%d", i), Notifier: "growth", Event: EventOpen}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		p, err := s.Pending(100)
		if err != nil || len(p) != 100 {
			b.Fatalf("Pending = %d, %v", len(p), err)
		}
	}
}

// BenchmarkCopyTo: one snapshot of the fixture's file (10,000 rules,
// 10,000 incidents, 100,000 deliveries), which is what a daemon writes a
// few seconds after incidents or feedback change.
func BenchmarkCopyTo(b *testing.B) {
	s := benchStore(b)
	snap := SnapshotPath(s.Path())
	for b.Loop() {
		if _, err := s.CopyTo(snap); err != nil {
			b.Fatal(err)
		}
	}
	info, err := os.Stat(snap)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(info.Size())/1e6, "file-MB")
	b.ReportMetric(float64(info.Size())/1e6/(b.Elapsed().Seconds()/float64(b.N)), "MB/s")
}
