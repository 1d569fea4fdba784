package backtest

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"vigil/detector"
)

// benchCSV is a 10,000-row hourly CSV with daily and weekly cycles, noise,
// jittered timestamps and a few missing values. With dup, every row is
// followed by a second one in the same bucket, the worst case for rows that
// share a bucket.
func benchCSV(rows int, dup bool) string {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		v := 1000 + 200*math.Sin(2*math.Pi*float64(i)/24) + 100*math.Sin(2*math.Pi*float64(i)/168) + 20*rng.NormFloat64()
		ts := t.Add(time.Duration(i)*time.Hour + time.Duration(rng.IntN(60))*time.Second)
		if i%500 == 17 {
			fmt.Fprintf(&b, "%s,\n", ts.Format(time.DateTime))
			continue
		}
		fmt.Fprintf(&b, "%s,%.2f\n", ts.Format(time.DateTime), v)
		if dup {
			fmt.Fprintf(&b, "%s,%.2f\n", ts.Add(20*time.Minute).Format(time.DateTime), v+5)
		}
	}
	return b.String()
}

func BenchmarkReadCSV(b *testing.B) {
	data := benchCSV(10000, false)
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := ReadCSV(strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	report(b, 10000, cpu0)
}

// BenchmarkRun judges a 10,000-row input. The trailing-mean method shows
// what the backtest itself costs; the others add their own.
func BenchmarkRun(b *testing.B) {
	in, err := ReadCSV(strings.NewReader(benchCSV(10000, false)))
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d    detector.Detector
	}{
		{"trailing-mean", trailing(24)},
		{"stl-daily", detector.STL{Period: 24}},
		{"stl-weekly", detector.STL{Period: 168}},
		{"holtwinters-daily", detector.HoltWinters{Period: 24}},
		{"holtwinters-weekly", detector.HoltWinters{Period: 168}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := Run(tc.d, in); err != nil {
					b.Fatal(err)
				}
			}
			report(b, len(in.Rows), cpu0)
		})
	}
}

// BenchmarkRunSharedBuckets judges 20,000 rows in 10,000 buckets: every
// sooner row of a bucket is judged alone, one Detect call each.
func BenchmarkRunSharedBuckets(b *testing.B) {
	in, err := Options{Granularity: time.Hour}.ReadCSV(strings.NewReader(benchCSV(10000, true)))
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d    detector.Detector
	}{
		{"stl-daily", detector.STL{Period: 24}},
		{"holtwinters-weekly", detector.HoltWinters{Period: 168}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := Run(tc.d, in); err != nil {
					b.Fatal(err)
				}
			}
			report(b, len(in.Rows), cpu0)
		})
	}
}

func BenchmarkWriteCSV(b *testing.B) {
	in, err := ReadCSV(strings.NewReader(benchCSV(10000, false)))
	if err != nil {
		b.Fatal(err)
	}
	rows, err := Run(detector.STL{Period: 24}, in)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	cpu0 := cpuTime()
	for b.Loop() {
		buf.Reset()
		if err := WriteCSV(io.Writer(&buf), rows); err != nil {
			b.Fatal(err)
		}
	}
	report(b, len(rows), cpu0)
}

// report gives rows per wall second and per CPU second: the machine is
// shared, so wall-clock throughput moves with other processes' load.
func report(b *testing.B, rows int, cpu0 time.Duration) {
	n := float64(b.N * rows)
	b.ReportMetric(n/b.Elapsed().Seconds(), "rows/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(n/cpu.Seconds(), "rows/cpu-s")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
