package ruletest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const runConfig = `sources: {db: {type: duckdb}}
notifiers: {out: {type: console}}
rules: rules
defaults: {delay: 1h, granularity: 1h}
`

const runRules = `metrics:
  - {name: latency, table: t, timestamp: ts, value: avg(ms), detect: {method: threshold, upper: 150}}
  - {name: daily, table: t, timestamp: ts, value: count(), granularity: 1d, delay: 0, schedule: "@daily", detect: {method: threshold, lower: 5}}
  - {name: orders, table: t, timestamp: ts, value: count(), dimensions: [country, platform, channel], detect: {method: change, offset: 1, max: 0.2, relative: true}}
  - {name: conv, table: t, timestamp: ts, numerator: n, denominator: d, dimensions: [country, platform], detect: {method: change, offset: 1, max: 0.2, relative: true}}
`

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunFile(t *testing.T) {
	tests := []struct {
		name     string
		test     string
		csv      string
		wantDiff string // a line the diff holds; empty: passes
		wantErr  string
	}{
		{name: "csv series passes", test: `tests:
  - name: t
    series: {latency: {csv: latency.csv}}
    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: latency, direction: up, value: [180, 180]}]}
      - {at: 2024-03-01T02:05:00Z}
`, csv: "timestamp,value\n2024-03-01T00:00:00Z,100\n2024-03-01T01:00:00Z,180\n"},
		{name: "daily rule in its own granularity", test: `tests:
  - name: t
    start: 2024-03-01
    series: {daily: {values: "10 2 10"}}
    evals:
      - {at: 2024-03-03T00:00:00Z, alerts: [{metric: daily, direction: down, bucket: 2024-03-02}]}
      - {at: 2024-03-04T00:00:00Z}
`},
		{name: "missing alert shows in the diff", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    series: {latency: {values: "100 100"}}
    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: latency, expected: [1, 2]}]}
`, wantDiff: "- want latency, expected in [1, 2]"},
		{name: "unknown metric", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    series: {latencyy: {values: "1"}}
    evals: [{at: 2024-03-01T03:05:00Z}]
`, wantErr: `series "latencyy": no metric of that name`},
		{name: "granularity differs from the rule's", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    granularity: 15m
    series: {latency: {values: "1 2 3"}}
    evals: [{at: 2024-03-01T03:05:00Z}]
`, wantDiff: "ERROR"},
		{name: "two kinds of series", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    series: {latency: {values: "1", csv: x.csv}}
    evals: [{at: 2024-03-01T03:05:00Z}]
`, wantErr: "exactly one of values, points, csv and segments"},
		{name: "values without start", test: `tests:
  - name: t
    series: {latency: {values: "1"}}
    evals: [{at: 2024-03-01T03:05:00Z}]
`, wantErr: "start is required"},
		{name: "bad eval time", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    series: {latency: {values: "1"}}
    evals: [{at: tomorrow}]
`, wantErr: "eval at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRun(t, tt.test, tt.csv, tt.wantDiff, tt.wantErr)
		})
	}
}

// checkRun runs the test file text beside runRules and checks that it
// fails with an error holding wantErr, or with a diff holding wantDiff, or
// passes when both are empty. It returns the diff.
func checkRun(t *testing.T, test, csv, wantDiff, wantErr string) string {
	t.Helper()
	dir := writeTree(t, map[string]string{"vigil.yaml": runConfig, "rules/r.yaml": runRules,
		"rules/r_test.yaml": test, "rules/latency.csv": csv})
	res := RunFile(context.Background(), filepath.Join(dir, "rules", "r_test.yaml"))
	if len(res) != 1 {
		t.Fatalf("%d results, want 1: %+v", len(res), res)
	}
	r := res[0]
	diff := strings.Join(r.Diff, "\n")
	switch {
	case wantErr != "":
		if r.Err == nil || !strings.Contains(r.Err.Error(), wantErr) {
			t.Errorf("error = %v, want %q", r.Err, wantErr)
		}
	case wantDiff != "":
		if r.Err != nil || !strings.Contains(diff, wantDiff) {
			t.Errorf("err %v, diff:\n%s\nwant a line with %q", r.Err, diff, wantDiff)
		}
	case !r.Passed():
		t.Errorf("failed: err %v, diff:\n%s", r.Err, diff)
	}
	return diff
}
