package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sessionsTable is a DuckDB init statement: five weeks of hourly sessions
// by country and platform, a quarter of them ordering, with a little
// noise; at 2024-03-05 14:00 UTC Brazil's sessions drop by 80% and
// Germany's conversion falls from 25% to 10%.
const sessionsTable = `CREATE TABLE sessions AS
WITH hours AS (SELECT TIMESTAMP '2024-03-05 14:00:00' - to_hours(h) AS hour FROM range(0, 840) t(h)),
leaves AS (SELECT * FROM (VALUES ('BR', 'android', 40), ('BR', 'ios', 20), ('US', 'android', 60),
  ('US', 'ios', 50), ('DE', 'android', 30), ('DE', 'ios', 25)) v(country, platform, base)),
counts AS (SELECT hour, country, platform, hour = TIMESTAMP '2024-03-05 14:00:00' AS target,
  CAST(base + hash(hour, country, platform) % 7 AS INTEGER) AS n FROM hours, leaves),
rows AS (SELECT hour, country, platform, target, n, unnest(range(CASE WHEN target AND country = 'BR' THEN n // 5 ELSE n END)) AS i FROM counts)
SELECT hour + to_seconds(CAST(i * 3600 // n AS BIGINT)) AS created_at, country, platform,
  CASE WHEN target AND country = 'DE' THEN i % 10 = 0 ELSE i % 4 = 0 END::INTEGER AS ordered, 1 AS visits
FROM rows`

const explainRules = `metrics:
  - name: sessions
    table: sessions
    timestamp: created_at
    value: count()
    dimensions: [country, platform]
    granularity: 1h
    detect: {method: seasonal, seasonality: weekly, history: 4w}
  - name: conversion
    table: sessions
    timestamp: created_at
    numerator: ordered
    denominator: visits
    unit: "%"
    dimensions: [country, platform]
    granularity: 1h
    detect: {method: seasonal, seasonality: weekly, history: 4w}
  - name: plain
    table: sessions
    timestamp: created_at
    value: count()
    granularity: 1h
    detect: {method: seasonal, seasonality: weekly, history: 4w}
`

// writeExplainConfig writes a config over sessionsTable and the rules
// above into a new folder and returns the folder.
func writeExplainConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	init, err := json.Marshal(sessionsTable) // a JSON string is a YAML string
	if err != nil {
		t.Fatal(err)
	}
	cfg := "sources:\n  local:\n    type: duckdb\n    init:\n      - " + string(init) + `
notifiers:
  stdout: {type: console}
rules: rules/
defaults: {schedule: "@hourly", timezone: UTC, source: local, notify: [stdout]}
`
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules", "sessions.yaml"), []byte(explainRules), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// explanationJSON is the part of the JSON output the tests read.
type explanationJSON struct {
	Metric     string    `json:"metric"`
	At         time.Time `json:"at"`
	Actual     *float64  `json:"actual"`
	Expected   *float64  `json:"expected"`
	Delta      *float64  `json:"delta"`
	Sentence   string    `json:"sentence"`
	Verdict    string    `json:"verdict"`
	Dimensions []struct {
		Name             string   `json:"name"`
		Surprise         *float64 `json:"surprise"`
		ExplanatoryPower *float64 `json:"explanatory_power"`
	} `json:"dimensions"`
	Contributors []struct {
		Segment    map[string]string `json:"segment"`
		Actual     *float64          `json:"actual"`
		Expected   *float64          `json:"expected"`
		Delta      *float64          `json:"delta"`
		Share      *float64          `json:"share"`
		MixEffect  *float64          `json:"mix_effect"`
		RateEffect *float64          `json:"rate_effect"`
	} `json:"contributors"`
}

func explainJSON(t *testing.T, dir, metric string) explanationJSON {
	t.Helper()
	out, errOut, code := vigil(t, dir, "explain", "--config", "vigil.yaml", "--metric", metric, "--at", "2024-03-05 14:20", "--format", "json")
	if code != exitOK {
		t.Fatalf("vigil explain --metric %s = %d, stderr:\n%s", metric, code, errOut)
	}
	var e explanationJSON
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("explain output is not JSON: %v\n%s", err, out)
	}
	if e.Actual == nil || e.Expected == nil || e.Delta == nil || e.Sentence == "" || len(e.Contributors) == 0 || len(e.Dimensions) != 2 {
		t.Fatalf("explain output lacks fields:\n%s", out)
	}
	if e.Metric != metric || !e.At.Equal(time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("metric %q at %v, want %s at the bucket 2024-03-05 14:00 UTC", e.Metric, e.At, metric)
	}
	if math.Abs(*e.Actual-*e.Expected-*e.Delta) > 1e-9*math.Abs(*e.Expected) {
		t.Errorf("delta %v is not actual %v minus expected %v", *e.Delta, *e.Actual, *e.Expected)
	}
	for _, c := range e.Contributors {
		if c.Actual == nil || c.Expected == nil || c.Delta == nil || c.Share == nil {
			t.Errorf("contributor %v lacks numbers:\n%s", c.Segment, out)
		}
	}
	for _, d := range e.Dimensions {
		if d.Surprise == nil || d.ExplanatoryPower == nil {
			t.Errorf("dimension %s lacks surprise or explanatory_power", d.Name)
		}
	}
	return e
}

func TestExplainJSON(t *testing.T) {
	dir := writeExplainConfig(t)

	e := explainJSON(t, dir, "sessions")
	top := e.Contributors[0]
	if len(top.Segment) != 1 || top.Segment["country"] != "BR" || *top.Share < 0.8 || *top.Share > 1.2 {
		t.Errorf("top contributor %v with share %v, want country=BR with about all of the drop (%s)", top.Segment, *top.Share, e.Sentence)
	}
	if *e.Delta >= 0 || e.Dimensions[0].Name != "country" || *e.Dimensions[0].ExplanatoryPower < 0.8 {
		t.Errorf("delta %v, dimensions %+v; want a drop that country explains", *e.Delta, e.Dimensions)
	}
	if top.MixEffect != nil {
		t.Errorf("a count has no mix effect, got %v", *top.MixEffect)
	}

	r := explainJSON(t, dir, "conversion")
	top = r.Contributors[0]
	if top.Segment["country"] != "DE" || top.RateEffect == nil || top.MixEffect == nil ||
		math.Abs(*top.RateEffect) < 3*math.Abs(*top.MixEffect) {
		t.Errorf("top contributor %v (mix %v, rate %v), want country=DE and mostly its rate (%s)", top.Segment, top.MixEffect, top.RateEffect, r.Sentence)
	}
}

func TestExplainText(t *testing.T) {
	dir := writeExplainConfig(t)
	out, errOut, code := vigil(t, dir, "explain", "--config", "vigil.yaml", "--metric", "sessions", "--at", "2024-03-05T14:00:00Z")
	if code != exitOK {
		t.Fatalf("vigil explain = %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"sessions at 2024-03-05 14:00 UTC: ANOMALY", "Sessions were", "country=BR accounts for",
		"segment", "dimension", "country"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain text lacks %q:\n%s", want, out)
		}
	}
}

func TestExplainErrors(t *testing.T) {
	dir := writeExplainConfig(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no metric", []string{"--at", "2024-03-05 14:00"}, exitConfig, "--metric is required"},
		{"no time", []string{"--metric", "sessions"}, exitConfig, "--at is required"},
		{"bad format", []string{"--metric", "sessions", "--at", "2024-03-05 14:00", "--format", "xml"}, exitConfig, `--format "xml"`},
		{"bad time", []string{"--metric", "sessions", "--at", "soon"}, exitConfig, `--at: "soon"`},
		{"unknown metric", []string{"--metric", "orders", "--at", "2024-03-05 14:00"}, exitConfig,
			`--metric "orders": no such metric; the metrics are: sessions, conversion, plain`},
		{"no dimensions", []string{"--metric", "plain", "--at", "2024-03-05 14:00"}, exitConfig, `metric "plain" has no dimensions`},
		{"no history", []string{"--metric", "sessions", "--at", "2024-01-20 14:00"}, exitFailed, `rule "sessions"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := vigil(t, dir, append([]string{"explain", "--config", "vigil.yaml"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("vigil explain %v = %d, stdout %q, stderr %q; want %d and %q", tt.args, code, out, errOut, tt.code, tt.want)
			}
		})
	}
}

func TestExplainHelp(t *testing.T) {
	out, _, code := vigil(t, t.TempDir(), "explain", "--help")
	for _, want := range []string{"Usage: vigil explain", "--metric NAME", "--at TIME", "--format", "contributors", "mix_effect", "Examples:", "Exit codes:"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("vigil explain --help = %d, lacks %q", code, want)
		}
	}
}
