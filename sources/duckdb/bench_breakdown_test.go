package duckdb

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

// benchRows is the size of the benchmark's fact table, bench_orders. All
// its rows lie in the current bucket or one of the eight baseline buckets
// (the same hour in the eight weeks before), so that every breakdown query
// aggregates all of them: the worst case. bench_spread holds as many rows
// spread over ten weeks, as a table with history does, for comparison.
const benchRows = 10_020_000

var benchAt = time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)

// benchTable generates bench_orders inside DuckDB: five dimensions of 50,
// 10, 20, 5 and 200 values (country, platform and store skewed, so that
// their first values are large), count() as the metric, and a drop of 80%
// in country=c0 & platform=p1 in the current bucket.
const benchTable = `CREATE TABLE bench_orders AS
WITH r AS (
  SELECT hash(i, 1) % 1000003 / 1000003.0 AS u1, hash(i, 2) % 1000003 / 1000003.0 AS u2,
    hash(i, 3) % 20 AS v3, hash(i, 4) % 5 AS v4, hash(i, 5) % 1000003 / 1000003.0 AS u5,
    hash(i, 6) % 9 AS week, hash(i, 7) % 3600 AS second, hash(i, 8) % 5 AS keep
  FROM range({rows}) t(i)
)
SELECT
  TIMESTAMP '2024-03-05 14:00:00' - to_days(CAST(7 * week AS INTEGER)) + to_seconds(second) AS ts,
  'c' || CAST(floor(50 * u1 * u1) AS INTEGER) AS country,
  'p' || CAST(floor(10 * u2 * u2) AS INTEGER) AS platform,
  'ch' || v3 AS channel,
  't' || v4 AS tier,
  's' || CAST(floor(200 * pow(u5, 1.5)) AS INTEGER) AS store
FROM r
WHERE NOT (week = 0 AND floor(50 * u1 * u1) = 0 AND floor(10 * u2 * u2) = 1 AND keep <> 0)`

// spreadTable generates bench_spread: the same dimensions, one row every
// 0.6 seconds for ten weeks ending at the current bucket's end.
const spreadTable = `CREATE TABLE bench_spread AS
SELECT TIMESTAMP '2024-03-05 15:00:00' - to_microseconds(CAST(i * 600000 AS BIGINT)) - INTERVAL 1 MICROSECOND AS ts,
  'c' || CAST(floor(50 * pow(hash(i, 1) % 1000003 / 1000003.0, 2)) AS INTEGER) AS country,
  'p' || CAST(floor(10 * pow(hash(i, 2) % 1000003 / 1000003.0, 2)) AS INTEGER) AS platform,
  'ch' || hash(i, 3) % 20 AS channel,
  't' || hash(i, 4) % 5 AS tier,
  's' || CAST(floor(200 * pow(hash(i, 5) % 1000003 / 1000003.0, 1.5)) AS INTEGER) AS store
FROM range({rows}) t(i)
ORDER BY ts`

var bench struct {
	once sync.Once
	src  *Source
	in   explain.Input
	err  error
}

// benchSource builds the tables once per test binary and works out what
// the detector would hand explain: the current count, the mean of the
// baseline buckets as expected, and their standard deviation as the scale.
func benchSource(b *testing.B) (*Source, explain.Input) {
	b.Helper()
	bench.once.Do(func() {
		start := time.Now()
		ctx := context.Background()
		rows := fmt.Sprint(benchRows)
		bench.src, bench.err = Open(ctx, Options{Init: []string{
			strings.Replace(benchTable, "{rows}", rows, 1), strings.Replace(spreadTable, "{rows}", rows, 1)}})
		if bench.err != nil {
			return
		}
		bench.in, bench.err = benchInput(ctx, bench.src)
		b.Logf("generated 2 tables of %d rows in %v", benchRows, time.Since(start).Round(time.Millisecond))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.src, bench.in
}

func benchInput(ctx context.Context, s *Source) (explain.Input, error) {
	in := explain.Input{Metric: "orders", At: benchAt, Step: time.Hour,
		Dimensions: []string{"country", "platform", "channel", "tier", "store"},
		Baseline:   explain.Seasons(benchAt, time.Hour, 7*24*time.Hour, 8, nil)}
	rows, err := s.DB().QueryContext(ctx, "SELECT CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600, count(*) FROM bench_orders GROUP BY 1")
	if err != nil {
		return in, err
	}
	defer rows.Close()
	var base []float64
	var total int64
	for rows.Next() {
		var key, n int64
		if err := rows.Scan(&key, &n); err != nil {
			return in, err
		}
		total += n
		if key == benchAt.Unix() {
			in.Actual = float64(n)
		} else {
			base = append(base, float64(n))
		}
	}
	if total < 10_000_000 || len(base) != 8 {
		return in, fmt.Errorf("table has %d rows in %d baseline buckets, want at least 10M in 8", total, len(base))
	}
	var sum, sq float64
	for _, x := range base {
		sum += x
	}
	in.Expected = sum / 8
	for _, x := range base {
		sq += (x - in.Expected) * (x - in.Expected)
	}
	in.Scale = math.Sqrt(sq / 7)
	return in, rows.Err()
}

func benchQuery(table string) sources.Query {
	return sources.Query{Rule: "orders", Table: table, Timestamp: "ts", Value: "count()"}
}

// BenchmarkExplain10M explains the planted drop on 10M rows through the
// real breakdown queries and reports how many queries that takes.
//
//	go test ./sources/duckdb -run '^$' -bench Explain10M -benchtime 5x
func BenchmarkExplain10M(b *testing.B) {
	s, in := benchSource(b)
	f := sources.Fetcher(s, benchQuery("bench_orders"))
	var e *explain.Explanation
	for b.Loop() {
		var err error
		if e, err = explain.Explain(context.Background(), f, in, explain.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(e.Queries), "queries/op")
	if len(e.Contributors) == 0 || e.Contributors[0].Segment["country"] != "c0" || e.Contributors[0].Segment["platform"] != "p1" {
		b.Fatalf("explanation %q names %v first, want country=c0 & platform=p1", e.Sentence, e.Contributors)
	}
	b.Logf("%s", e.Sentence)
}

// BenchmarkBreakdown10M times one first-level breakdown (all five
// dimensions) on the table whose rows all lie in the buckets and on the
// one whose rows are spread over ten weeks.
func BenchmarkBreakdown10M(b *testing.B) {
	s, in := benchSource(b)
	req := explain.Request{Groups: [][]string{{"country"}, {"platform"}, {"channel"}, {"tier"}, {"store"}},
		Current: explain.Bucket(in.At, time.Hour, nil), Baseline: in.Baseline, TopK: explain.DefaultTopK}
	for _, table := range []string{"bench_orders", "bench_spread"} {
		b.Run(table, func(b *testing.B) {
			var cells []explain.Cell
			for b.Loop() {
				var err error
				if cells, err = s.Breakdown(context.Background(), benchQuery(table), req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(cells)), "cells")
		})
	}
}

// BenchmarkTopK10M measures the choice of folding the values of a
// dimension beyond the top K in Go (what Breakdown does) against ranking
// them in SQL with window functions over the same aggregation, on the
// first-level breakdown with its 200-value dimension.
func BenchmarkTopK10M(b *testing.B) {
	s, in := benchSource(b)
	req := explain.Request{Groups: [][]string{{"country"}, {"platform"}, {"channel"}, {"tier"}, {"store"}},
		Current: explain.Bucket(in.At, time.Hour, nil), Baseline: in.Baseline, TopK: explain.DefaultTopK}
	b.Run("fold_in_go", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Breakdown(context.Background(), benchQuery("bench_orders"), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rank_in_sql", func(b *testing.B) {
		p, err := sources.NewPlan(benchQuery("bench_orders"), req)
		if err != nil {
			b.Fatal(err)
		}
		var args []any
		inner, err := buildBreakdown(p, func(v any) string { args = append(args, v); return "?" })
		if err != nil {
			b.Fatal(err)
		}
		text := topKSQL(inner, len(p.Dims), len(p.Ranges)-1, req.TopK)
		for b.Loop() {
			rows, err := s.DB().QueryContext(context.Background(), text, args...)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Close(); err != nil || n == 0 || n > len(req.Groups)*(req.TopK+1) {
				b.Fatalf("ranked query returned %d rows (%v), want 1 to %d", n, err, len(req.Groups)*(req.TopK+1))
			}
		}
	})
}

// topKSQL wraps a first-level breakdown query (one dimension per set) so
// that it returns, per set, the k values whose count departs most from an
// even spread of the change, and the rest as one Other row. The breakdown
// is materialized: inlined, DuckDB ran it twice.
func topKSQL(inner string, dims, baseline, k int) string {
	cols := make([]string, dims)
	for i := range cols {
		cols[i] = sources.DimColumn(i)
	}
	return fmt.Sprintf(`WITH b AS MATERIALIZED (%s),
agg AS (
  SELECT vigil_set, coalesce(%s) AS v,
    coalesce(sum(vigil_value) FILTER (WHERE vigil_period = 0), 0) AS cur,
    coalesce(sum(vigil_value) FILTER (WHERE vigil_period > 0), 0) / %d AS base
  FROM b GROUP BY ALL),
totals AS (
  SELECT *, sum(cur) OVER (PARTITION BY vigil_set) AS tc, sum(base) OVER (PARTITION BY vigil_set) AS tb FROM agg),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY vigil_set ORDER BY abs(cur - base * tc / tb) DESC, v) AS rk
  FROM totals)
SELECT vigil_set, CASE WHEN rk <= %d THEN v ELSE '(other)' END AS v, sum(cur), sum(base)
FROM ranked GROUP BY ALL`, inner, strings.Join(cols, ", "), baseline, k)
}
