package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// backtestConfig is a DuckDB source whose init statement creates hourly
// orders from 2024-02-20 to 2024-03-10 (UTC) with a daily cycle and one
// known incident: 13:00 to 16:00 UTC on 2024-03-05 at a fifth of the
// usual amount.
const backtestConfig = `sources:
  local:
    type: duckdb
    init:
      - >-
        CREATE TABLE orders AS
        SELECT ts AS created_at,
               CASE WHEN ts >= TIMESTAMP '2024-03-05 13:00:00' AND ts < TIMESTAMP '2024-03-05 16:00:00' THEN 20.0
                    ELSE round(100 + 40 * sin(2 * pi() * hour(ts) / 24) + (CAST(epoch(ts) AS BIGINT) / 3600 * 7919) % 11) END AS amount
        FROM generate_series(TIMESTAMP '2024-02-20 00:00:00', TIMESTAMP '2024-03-10 23:00:00', INTERVAL 1 HOUR) AS t(ts)
notifiers:
  stdout: {type: console}
rules: rules/
`

// backtestRulesFile holds orders, judged hourly in Berlin time with a
// two-hour settle delay, and broken, whose table does not exist.
const backtestRulesFile = `metrics:
  - name: orders
    table: orders
    timestamp: created_at
    value: sum(amount)
    granularity: 1h
    delay: 2h
    timezone: Europe/Berlin
    detect: {method: seasonal, seasonality: daily, history: 7d}
  - name: broken
    table: no_such_table
    timestamp: created_at
    value: count()
    granularity: 1h
    detect: {method: seasonal, seasonality: daily, history: 7d}
`

func writeBacktestConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"vigil.yaml":         backtestConfig,
		"rules/orders.yaml":  backtestRulesFile,
		"labels.json":        `{"anomalies": [{"start": "2024-03-05T13:00:00Z", "end": "2024-03-05T15:00:00Z"}, "2024-03-02T10:00:00Z"]}`,
		"labels-missed.json": `["2024-03-02T10:00:00Z"]`,
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// alertBuckets returns the bucket column of the alert lines of a replay.
func alertBuckets(out string) []string {
	re := regexp.MustCompile(`(?m)^orders +(\d{4}-\d\d-\d\d \d\d:\d\d CET) +20 `)
	var got []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		got = append(got, m[1])
	}
	return got
}

// summaryLine returns the summary line of rule, with runs of spaces
// collapsed.
func summaryLine(out, rule string) string {
	_, summary, _ := strings.Cut(out, "\nRULE ")
	for line := range strings.Lines(summary) {
		if strings.HasPrefix(line, rule+" ") {
			return strings.Join(strings.Fields(line), " ")
		}
	}
	return ""
}

func TestBacktestRulesGolden(t *testing.T) {
	dir := writeBacktestConfig(t)
	args := []string{"backtest", "--config", "vigil.yaml", "--rule", "orders", "--from", "2024-03-01", "--to", "2024-03-08"}
	out, errOut, code := vigil(t, dir, args...)
	if code != exitOK {
		t.Fatalf("vigil %v = %d, stderr %q", args, code, errOut)
	}
	goldenFile(t, filepath.Join(testdata(t), "rules.golden"), out)
	if got, want := strings.Join(alertBuckets(out), ", "), "2024-03-05 14:00 CET, 2024-03-05 15:00 CET, 2024-03-05 16:00 CET"; got != want {
		t.Errorf("alerts at %s, want %s:\n%s", got, want, out)
	}
	want := "orders 2024-03-01 01:00 CET – 2024-03-07 22:00 CET 166 3 1 3.0 3h from 2024-03-05 14:00 CET"
	if got := summaryLine(out, "orders"); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if strings.Contains(errOut, "\r") || strings.Contains(errOut, "[#") {
		t.Errorf("progress bar drawn on a pipe: %q", errOut)
	}
	// A duration for --from counts back from --to.
	again, _, _ := vigil(t, dir, "backtest", "--config", "vigil.yaml", "--rule", "orders", "--from", "1w", "--to", "2024-03-08T00:00:00Z")
	if again != out {
		t.Errorf("--from 1w gave\n%s\nwant\n%s", again, out)
	}
}

// TestBacktestRulesRange moves --from and --to around the incident: a
// bucket alerts only once it starts at or after --from and its settle
// delay (2h after its end) has passed by --to.
func TestBacktestRulesRange(t *testing.T) {
	dir := writeBacktestConfig(t)
	tests := []struct {
		name, from, to string
		alerts         []string
		summary        string
	}{
		{"first bucket settles at --to", "2024-03-05", "2024-03-05T16:00:00Z", []string{"14:00"},
			"orders 2024-03-05 01:00 CET – 2024-03-05 14:00 CET 14 1 1 12.0 1h from 2024-03-05 14:00 CET"},
		{"a second before it settles", "2024-03-05", "2024-03-05T15:59:59Z", nil,
			"orders 2024-03-05 01:00 CET – 2024-03-05 13:00 CET 13 0 0 0.0 -"},
		{"all settled", "2024-03-05", "2024-03-05T18:00:00Z", []string{"14:00", "15:00", "16:00"},
			"orders 2024-03-05 01:00 CET – 2024-03-05 16:00 CET 16 3 1 31.5 3h from 2024-03-05 14:00 CET"},
		{"from inside the incident", "2024-03-05T14:00:00Z", "2024-03-08T00:00:00Z", []string{"15:00", "16:00"},
			"orders 2024-03-05 15:00 CET – 2024-03-07 22:00 CET 56 2 1 6.0 2h from 2024-03-05 15:00 CET"},
		{"from after it", "2024-03-05T16:00:00Z", "2024-03-08T00:00:00Z", nil,
			"orders 2024-03-05 17:00 CET – 2024-03-07 22:00 CET 54 0 0 0.0 -"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := vigil(t, dir, "backtest", "--config", "vigil.yaml", "--rule", "orders", "--from", tt.from, "--to", tt.to)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			var want []string
			for _, h := range tt.alerts {
				want = append(want, "2024-03-05 "+h+" CET")
			}
			if got := alertBuckets(out); strings.Join(got, ", ") != strings.Join(want, ", ") {
				t.Errorf("alerts at %v, want %v:\n%s", got, want, out)
			}
			if len(want) == 0 && !strings.HasPrefix(out, "No alert would have fired.\n") {
				t.Errorf("output does not say that no alert fired:\n%s", out)
			}
			if got := summaryLine(out, "orders"); got != tt.summary {
				t.Errorf("summary %q, want %q", got, tt.summary)
			}
		})
	}
}

func TestBacktestRulesLabels(t *testing.T) {
	dir := writeBacktestConfig(t)
	tests := []struct{ labels, want string }{
		// The incident is found; a labelled hour on 2 March is missed.
		{"labels.json", "3h from 2024-03-05 14:00 CET 1.00 0.50 0.67 1 of 2 0"},
		// Only the hour on 2 March is labelled: the incident is a false alarm.
		{"labels-missed.json", "3h from 2024-03-05 14:00 CET 0.00 0.00 0.00 0 of 1 1"},
	}
	for _, tt := range tests {
		t.Run(tt.labels, func(t *testing.T) {
			out, errOut, code := vigil(t, dir, "backtest", "--config", "vigil.yaml", "--rule", "orders",
				"--from", "2024-03-01", "--to", "2024-03-08", "--labels", tt.labels)
			if code != exitOK || !strings.Contains(out, "PRECISION  RECALL  F1    EVENTS FOUND  FALSE ALARMS") {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, errOut, out)
			}
			if got := summaryLine(out, "orders"); !strings.HasSuffix(got, tt.want) {
				t.Errorf("summary %q, want it to end %q", got, tt.want)
			}
		})
	}
}

// TestBacktestRulesFailure replays every rule: the broken one fails with
// exit code 2, the other is still reported.
func TestBacktestRulesFailure(t *testing.T) {
	dir := writeBacktestConfig(t)
	out, errOut, code := vigil(t, dir, "backtest", "--config", "vigil.yaml", "--from", "2024-03-01", "--to", "2024-03-08")
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	if !strings.Contains(errOut, `vigil backtest: rule "broken": query local:`) || !strings.Contains(summaryLine(out, "broken"), "failed: query local:") {
		t.Errorf("the failure is not reported; stderr %q, stdout:\n%s", errOut, out)
	}
	if len(alertBuckets(out)) != 3 {
		t.Errorf("the other rule's alerts are missing:\n%s", out)
	}
	_, errOut, code = vigil(t, dir, "backtest", "--config", "vigil.yaml", "--rule", "nope", "--from", "1w")
	if code != exitConfig || !strings.Contains(errOut, `--rule "nope": no such rule`) {
		t.Errorf("unknown rule: exit %d, stderr %q; want 1 and the reason", code, errOut)
	}
	_, errOut, code = vigil(t, dir, "backtest", "--config", "vigil.yaml", "--from", "2024-03-08", "--to", "2024-03-01")
	if code != exitConfig || !strings.Contains(errOut, "is not before --to") {
		t.Errorf("reversed range: exit %d, stderr %q; want 1 and the reason", code, errOut)
	}
}
