package engine

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/config"
)

const week = 7 * 24 * time.Hour

func TestBuildReportsEveryProblem(t *testing.T) {
	pos := func(line int) config.Pos { return config.Pos{File: "vigil.yaml", Line: line, Column: 3} }
	good := config.Detect{Method: "seasonal", Seasonality: "weekly", History: 8 * week}
	cfg := &config.Config{
		Sources: map[string]config.Source{
			"odd": {Name: "odd", Type: "oracle", Pos: pos(2)},
			"ch": {Name: "ch", Type: "clickhouse", DSN: "clickhouse://u:s3cret@db:9000",
				TLS: config.TLS{Enabled: true, CAFile: filepath.Join(t.TempDir(), "missing.pem")}, Pos: pos(3)},
		},
		Notifiers: map[string]config.Notifier{
			"growth":  {Name: "growth", Type: "slack", Token: "xoxb-s3cret", Pos: pos(5)},
			"later":   {Name: "later", Type: "slack", Pos: pos(6)},
			"hook":    {Name: "hook", Type: "webhook", URL: "hooks.example.com/s3cret", Pos: pos(7)},
			"good":    {Name: "good", Type: "webhook", URL: "https://hooks.example.com/s3cret", Pos: pos(9)},
			"nowhere": {Name: "nowhere", Type: "pager", Pos: pos(8)},
		},
		Metrics: []config.Metric{
			{Name: "orders", Granularity: time.Hour, Source: "odd", Detect: good, Notify: []string{"later"}, Pos: pos(10)},
			{Name: "signups", Granularity: time.Hour, Source: "missing", Detect: good, Pos: pos(11)},
			{Name: "revenue", Granularity: time.Hour, Source: "ch", Detect: config.Detect{Method: "seasonal", Seasonality: "monthly", History: 8 * week}, Pos: pos(12)},
			{Name: "visits", Granularity: time.Hour, Source: "ch", Detect: good, Notify: []string{"pagerduty"}, Pos: pos(13)},
		},
	}
	var logs bytes.Buffer
	_, err := Build(context.Background(), cfg, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err == nil {
		t.Fatal("Build() = nil error, want problems")
	}
	msg := err.Error()
	want := []string{
		`vigil.yaml:2:3: source "odd": type "oracle": want duckdb or clickhouse`,
		`vigil.yaml:3:3: source "ch": tls.ca_file:`,
		`vigil.yaml:5:3: notifier "growth": no channel: set channel, or channel_by_severity`,
		`vigil.yaml:7:3: notifier "hook": webhook: url: not an http(s) URL with a host`,
		`vigil.yaml:8:3: notifier "nowhere": type "pager"`,
		`vigil.yaml:11:3: metric "signups": source: no source named "missing"`,
		`vigil.yaml:12:3: metric "revenue": detect: seasonal: seasonality monthly`,
		`vigil.yaml:13:3: metric "visits": notify: no notifier named "pagerduty"`,
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("Build() error lacks %q; got:\n%s", w, msg)
		}
	}
	if got := strings.Count(msg, "\n") + 1; got != len(want) {
		t.Errorf("Build() reported %d problems, want %d:\n%s", got, len(want), msg)
	}
	if strings.Contains(msg+logs.String(), "s3cret") {
		t.Errorf("Build() revealed a secret:\n%s\n%s", msg, logs.String())
	}
	if !strings.Contains(logs.String(), `notifier skipped: its token is empty" notifier=later`) {
		t.Errorf("logs lack the skipped notifier:\n%s", logs.String())
	}
}

func TestBuildEmpty(t *testing.T) {
	cfg := &config.Config{Notifiers: map[string]config.Notifier{"stdout": {Name: "stdout", Type: "console"}}}
	e, err := Build(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatalf("Build() error = %v", err)
	}
	defer e.Close()
	if got := e.Rules(); len(got) != 0 {
		t.Errorf("Rules() = %v, want none", got)
	}
}

// TestBuildExplainLimits checks that a metric's explain: limits reach its
// rule.
func TestBuildExplainLimits(t *testing.T) {
	m := config.Metric{Name: "orders", Source: "local", Table: "t", Timestamp: "ts", Value: "count()",
		Dimensions: []string{"country"}, Granularity: time.Hour, Notify: []string{"stdout"},
		Detect:  config.Detect{Method: "seasonal", Seasonality: "weekly", History: 8 * week},
		Explain: config.Explain{MaxQueries: 5, MaxDuration: 30 * time.Second, MinShare: 0.9, MaxDepth: 2}}
	cfg := &config.Config{
		Sources:   map[string]config.Source{"local": {Name: "local", Type: "duckdb"}},
		Notifiers: map[string]config.Notifier{"stdout": {Name: "stdout", Type: "console"}},
		Metrics:   []config.Metric{m},
	}
	e, err := Build(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatalf("Build() error = %v", err)
	}
	defer e.Close()
	got := e.rules[0].Explain
	if got.MaxQueries != 5 || got.MaxDuration != 30*time.Second || got.MinShare != 0.9 || got.MaxDepth != 2 {
		t.Errorf("rule's explain options = %+v, want the metric's limits", got)
	}
}
