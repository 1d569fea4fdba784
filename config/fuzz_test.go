package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds arbitrary bytes as the config file and one rules file.
// Loading must never panic, and must return either a config that holds
// together or a non-empty *Errors.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	rules, _ := filepath.Glob("testdata/*/*/*.y*ml")
	rules = append(rules, must(filepath.Glob("testdata/bad/*.yaml"))...)
	for i, cfg := range seeds {
		c, _ := os.ReadFile(cfg)
		r, _ := os.ReadFile(rules[i%len(rules)])
		f.Add(c, r)
	}
	f.Add([]byte(badBase), []byte(okRules))
	f.Add([]byte("sources: {d: {type: duckdb}}\nnotifiers: {o: {type: console}}\n"), []byte(okRules))
	f.Fuzz(func(t *testing.T, config, rulesFile []byte) {
		fsys := fstest.MapFS{
			"vigil.yaml":   {Data: config},
			"rules/r.yaml": {Data: rulesFile},
		}
		cfg, err := LoadFS(fsys, "vigil.yaml")
		if err != nil {
			var errs *Errors
			if !errors.As(err, &errs) || len(*errs) == 0 || cfg != nil {
				t.Fatalf("LoadFS() = %v, %#v; want nil and a non-empty *Errors", cfg, err)
			}
			for _, e := range *errs {
				if e.Msg == "" {
					t.Fatalf("empty message in %v", e)
				}
			}
			return
		}
		checkLoaded(t, cfg)
	})
}

// checkLoaded checks what every loaded config promises its users.
func checkLoaded(t *testing.T, cfg *Config) {
	t.Helper()
	names := map[string]bool{}
	for _, m := range cfg.Metrics {
		switch {
		case names[m.Name]:
			t.Fatalf("metric %q loaded twice", m.Name)
		case checkName(m.Name) != nil:
			t.Fatalf("metric name %q loaded", m.Name)
		case m.Location == nil:
			t.Fatalf("metric %q has no location", m.Name)
		case checkGranularity(m.Granularity) != nil:
			t.Fatalf("metric %q granularity %v loaded", m.Name, m.Granularity)
		case checkSchedule(m.Schedule) != nil || checkSchedule(m.CronSpec()) != nil:
			t.Fatalf("metric %q schedule %q (%q) loaded", m.Name, m.Schedule, m.CronSpec())
		case !hasKey(cfg.Sources, m.Source):
			t.Fatalf("metric %q source %q undefined", m.Name, m.Source)
		case len(m.Notify) == 0:
			t.Fatalf("metric %q has no notifiers", m.Name)
		case m.Detect.History < 2*Season(m.Detect.Seasonality, m.Granularity):
			t.Fatalf("metric %q history %v too short", m.Name, m.Detect.History)
		case count(m.Value != "", m.Ratio(), m.SQL != "") != 1:
			t.Fatalf("metric %q measures in %d ways, want 1", m.Name, count(m.Value != "", m.Ratio(), m.SQL != ""))
		}
		for _, n := range m.Notify {
			if !hasKey(cfg.Notifiers, n) {
				t.Fatalf("metric %q notifier %q undefined", m.Name, n)
			}
		}
		names[m.Name] = true
	}
	for _, s := range cfg.Sources {
		if s.MaxConcurrency < 1 || !slices.Contains(sourceTypes, s.Type) {
			t.Fatalf("source %v loaded with concurrency %d", s, s.MaxConcurrency)
		}
	}
}

func count(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
