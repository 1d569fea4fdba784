package config

import (
	"errors"
	"fmt"
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
	f.Add([]byte(badBase), must(os.ReadFile("testdata/good/methods/all.yaml")))
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
		case checkLoadedDetect(m) != "":
			t.Fatalf("metric %q: %s", m.Name, checkLoadedDetect(m))
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

// checkLoadedDetect returns what is wrong with a loaded metric's detect
// settings for its method, or "".
func checkLoadedDetect(m Metric) string {
	d, g := m.Detect, m.Granularity
	season := Season(d.Seasonality, g)
	switch {
	case d.Consecutive < 1 || !slices.Contains(missings, d.Missing) || !slices.Contains(directions, d.Direction):
		return fmt.Sprintf("guards %+v", d)
	case d.Method == MethodSeasonal && (season != Day && season != Week || season%g != 0):
		return fmt.Sprintf("seasonal season %v at granularity %v", season, g)
	case d.Method == MethodSeasonal && (d.History < 3*season || d.History > 64*season || d.History%season != 0):
		return fmt.Sprintf("seasonal history %v for season %v", d.History, season)
	case d.Method == MethodThreshold && d.Lower == nil && d.Upper == nil:
		return "threshold without bounds"
	case d.Method == MethodChange && (d.Offset <= 0 || d.Offset%g != 0 || d.Max <= 0):
		return fmt.Sprintf("change offset %v max %v", d.Offset, d.Max)
	case (d.Method == MethodCUSUM || d.Method == MethodFreshness) && (d.Window <= 0 || d.Window%g != 0):
		return fmt.Sprintf("window %v", d.Window)
	case d.Method == MethodSTL && d.Period == 0 && (season < 2*g || season%g != 0):
		return fmt.Sprintf("stl season %v", season)
	case d.Method == MethodAuto && (d.History <= 0 || d.History%g != 0):
		return fmt.Sprintf("auto history %v", d.History)
	}
	return ""
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
