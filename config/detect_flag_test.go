package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestParseDetectMatchesLoad: detect settings given as a flag give the
// same metric settings as the same settings in a rules file.
func TestParseDetectMatchesLoad(t *testing.T) {
	tests := []struct {
		name, spec, granularity, timezone string
		gran                              time.Duration
	}{
		{"defaults", "", "1h", "UTC", time.Hour},
		{"stl with period", "method: stl, period: 1d, robust: false", "1h", "UTC", time.Hour},
		{"braces", "{method: seasonal, seasonality: daily, history: 5d, direction: down}", "15m", "Europe/Berlin", 15 * time.Minute},
		{"change in buckets", "method: change, offset: 24, max: 20%, consecutive: 2", "1h", "UTC", time.Hour},
		{"daily and weekly", "seasonality: [daily, weekly], min_rel_delta: 5%", "1h", "Asia/Kolkata", time.Hour},
		{"threshold", "method: threshold, upper: 10, mute: [{schedule: '0 2 * * *', duration: 1h}]", "1h", "UTC", time.Hour},
		{"cusum", "method: cusum, seasonality: none, k: 1", "1d", "UTC", 24 * time.Hour},
		{"auto", "method: auto, history: 4w, threshold: 3.5", "1h", "UTC", time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDetect(tt.spec, tt.gran, tt.timezone)
			if err != nil {
				t.Fatalf("ParseDetect(%q) = %v", tt.spec, err)
			}
			spec := tt.spec
			if !strings.HasPrefix(spec, "{") {
				spec = "{" + spec + "}"
			}
			fsys := fstest.MapFS{
				"vigil.yaml": {Data: []byte("sources: {local: {type: duckdb}}\nnotifiers: {out: {type: console}}\n")},
				"rules/m.yaml": {Data: []byte("metrics:\n  - name: m\n    table: t\n    timestamp: ts\n    value: count()\n" +
					"    granularity: " + tt.granularity + "\n    timezone: " + tt.timezone + "\n    detect: " + spec + "\n")},
			}
			cfg, err := LoadFS(fsys, "vigil.yaml")
			if err != nil {
				t.Fatalf("LoadFS: %v", err)
			}
			want := cfg.Metrics[0]
			if !reflect.DeepEqual(got.Detect, want.Detect) {
				t.Errorf("ParseDetect(%q).Detect = %+v, want %+v", tt.spec, got.Detect, want.Detect)
			}
			if got.Granularity != want.Granularity || got.Location.String() != want.Location.String() || got.Delay != want.Delay {
				t.Errorf("ParseDetect(%q) granularity %v, zone %v, delay %v; want %v, %v, %v", tt.spec,
					got.Granularity, got.Location, got.Delay, want.Granularity, want.Location, want.Delay)
			}
		})
	}
}

func TestParseDetectErrors(t *testing.T) {
	tests := []struct {
		name, spec string
		gran       time.Duration
		timezone   string
		want       []string
	}{
		{"unknown key", "histroy: 8w", time.Hour, "UTC", []string{`detect.histroy: unknown key; did you mean "history"?`}},
		{"bad value", "sensitivity: extreme", time.Hour, "UTC", []string{`detect.sensitivity: unknown sensitivity "extreme"`}},
		{"key of another method", "method: stl, history: 8w", time.Hour, "UTC", []string{"detect.history: does not apply to method stl"}},
		{"too short a history", "seasonality: daily, history: 2d", time.Hour, "UTC", []string{"detect.history: need at least 3 seasons"}},
		{"every problem", "sensitivity: loud, consecutive: 0", time.Hour, "UTC", []string{"detect.sensitivity:", "detect.consecutive: must be between 1"}},
		{"granularity", "", 7 * time.Minute, "UTC", []string{"granularity: must divide one day evenly"}},
		{"timezone", "", time.Hour, "Mars/Olympus", []string{`timezone: unknown time zone "Mars/Olympus"`}},
		{"syntax", "{method: stl", time.Hour, "UTC", []string{"detect: invalid YAML"}},
		{"not a mapping", "[stl, 8w]", time.Hour, "UTC", []string{"detect: want a mapping of keys to values, got a list"}},
		{"duplicate", "method: stl, method: cusum", time.Hour, "UTC", []string{"detect.method: duplicate key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDetect(tt.spec, tt.gran, tt.timezone)
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("ParseDetect(%q) = %v, want *Errors", tt.spec, err)
			}
			if len(*errs) != len(tt.want) {
				t.Errorf("ParseDetect(%q) gave %d problems, want %d:\n%v", tt.spec, len(*errs), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseDetect(%q) = %q, want it to contain %q", tt.spec, err, w)
				}
			}
			if strings.HasPrefix(err.Error(), ":") {
				t.Errorf("ParseDetect(%q) = %q, want no position", tt.spec, err)
			}
		})
	}
}
