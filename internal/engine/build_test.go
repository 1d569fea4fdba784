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
	"vigil/detector"
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
			{Name: "orders", Source: "odd", Detect: good, Notify: []string{"later"}, Pos: pos(10)},
			{Name: "signups", Source: "missing", Detect: good, Pos: pos(11)},
			{Name: "revenue", Source: "ch", Detect: config.Detect{Method: "seasonal", Seasonality: "monthly", History: 8 * week}, Pos: pos(12)},
			{Name: "visits", Source: "ch", Detect: good, Notify: []string{"pagerduty"}, Pos: pos(13)},
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
		`vigil.yaml:5:3: notifier "growth": type "slack" is not supported yet`,
		`vigil.yaml:7:3: notifier "hook": webhook: url: not an http(s) URL with a host`,
		`vigil.yaml:8:3: notifier "nowhere": type "pager"`,
		`vigil.yaml:11:3: metric "signups": source: no source named "missing"`,
		`vigil.yaml:12:3: metric "revenue": detect: seasonality "monthly"`,
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

func TestBuildDetector(t *testing.T) {
	tests := []struct {
		name    string
		detect  config.Detect
		want    detector.Seasonal
		method  string
		wantErr string
	}{
		{
			name:   "weekly medium",
			detect: config.Detect{Method: "seasonal", Seasonality: "weekly", History: 8 * week, Sensitivity: "medium", Direction: "down", MinDelta: 50, MinVolume: 10},
			want:   detector.Seasonal{Period: week, Seasons: 8, Guards: detector.Guards{Direction: detector.Down, Threshold: 4, MinDelta: 50, MinVolume: 10}},
			method: "seasonal (weekly, 8 seasons)",
		},
		{
			name:   "daily high",
			detect: config.Detect{Method: "seasonal", Seasonality: "daily", History: 2 * week, Sensitivity: "high"},
			want:   detector.Seasonal{Period: 24 * time.Hour, Seasons: 14, Guards: detector.Guards{Direction: detector.Both, Threshold: 3}},
			method: "seasonal (daily, 14 seasons)",
		},
		{
			name:   "threshold overrides sensitivity",
			detect: config.Detect{Method: "seasonal", Seasonality: "weekly", History: 4 * week, Sensitivity: "low", Threshold: 3.5, Direction: "up"},
			want:   detector.Seasonal{Period: week, Seasons: 4, Guards: detector.Guards{Direction: detector.Up, Threshold: 3.5}},
			method: "seasonal (weekly, 4 seasons)",
		},
		{name: "one season", detect: config.Detect{Method: "seasonal", Seasonality: "weekly", History: 10 * 24 * time.Hour}, wantErr: "need at least 2 weekly seasons (2w)"},
		{name: "unknown method", detect: config.Detect{Method: "prophet", Seasonality: "weekly", History: 8 * week}, wantErr: `method "prophet"`},
		{name: "bad direction", detect: config.Detect{Method: "seasonal", Seasonality: "weekly", History: 8 * week, Direction: "sideways"}, wantErr: "direction"},
		{name: "bad sensitivity", detect: config.Detect{Method: "seasonal", Seasonality: "weekly", History: 8 * week, Sensitivity: "extreme"}, wantErr: "sensitivity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			det, method, err := buildDetector(tt.detect)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("buildDetector() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("buildDetector() error = %v", err)
			}
			got, ok := det.(detector.Seasonal)
			if !ok || got.Period != tt.want.Period || got.Seasons != tt.want.Seasons || got.Guards != tt.want.Guards || method != tt.method {
				t.Errorf("buildDetector() = %+v, %q, want %+v, %q", det, method, tt.want, tt.method)
			}
		})
	}
}
