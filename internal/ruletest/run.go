package ruletest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"vigil/config"
	"vigil/internal/backtest"
	"vigil/internal/engine"
	"vigil/internal/methods"
)

// Result is the outcome of one test case.
type Result struct {
	File  string // the test file
	Name  string // the case's name
	Evals int    // evaluations run
	// Diff lists what differs from the expectation, per evaluation; empty
	// when the case passed.
	Diff []string
	Err  error // the case could not run: bad series, config or times
}

// Passed reports whether the case ran and every evaluation matched.
func (r Result) Passed() bool { return r.Err == nil && len(r.Diff) == 0 }

// RunFile runs every case of the test file at path.
func RunFile(ctx context.Context, path string) []Result {
	f, err := ReadFile(path)
	if err != nil {
		return []Result{{File: path, Name: "(file)", Err: err}}
	}
	cfgPath, err := findConfig(path, f.Config)
	var cfg *config.Config
	if err == nil {
		cfg, err = config.Load(cfgPath)
	}
	if err != nil {
		return []Result{{File: path, Name: "(file)", Err: fmt.Errorf("config: %w", err)}}
	}
	out := make([]Result, 0, len(f.Tests))
	for _, c := range f.Tests {
		r := Result{File: path, Name: c.Name, Evals: len(c.Evals)}
		r.Diff, r.Err = runCase(ctx, cfg, filepath.Dir(path), c)
		out = append(out, r)
	}
	return out
}

// runCase evaluates the metrics given series at each eval time.
func runCase(ctx context.Context, cfg *config.Config, dir string, c Case) ([]string, error) {
	var start time.Time
	var err error
	switch {
	case c.Start != "":
		if start, err = backtest.ParseTime(c.Start); err != nil {
			return nil, fmt.Errorf("start: %w", err)
		}
	case needsStart(c):
		return nil, fmt.Errorf("start is required: the time of the first of the values")
	}
	var gran time.Duration
	if c.Granularity != "" {
		if gran, err = config.ParseDuration(c.Granularity); err != nil || gran <= 0 {
			return nil, fmt.Errorf("granularity %q: want a positive duration such as 1h", c.Granularity)
		}
	}
	mem := Memory{}
	var rules []engine.Rule
	for _, m := range cfg.Metrics {
		spec, ok := c.Series[m.Name]
		if !ok {
			continue
		}
		step := gran
		if step == 0 {
			step = m.Granularity
		}
		s, err := spec.series(dir, start, step, m.Location)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", m.Name, err)
		}
		mem[m.Name] = s
		r, err := buildRule(cfg, m, mem)
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", m.Name, err)
		}
		rules = append(rules, r)
	}
	for name := range c.Series {
		if _, ok := mem[name]; !ok {
			return nil, fmt.Errorf("series %q: no metric of that name in %s", name, cfg.File)
		}
	}
	e := engine.New(rules, engine.Options{})
	var diff []string
	for _, ev := range c.Evals {
		at, err := backtest.ParseTime(ev.At)
		if err != nil {
			return nil, fmt.Errorf("eval at: %w", err)
		}
		got := alertsOf(e.Once(ctx, at, nil))
		diff = append(diff, compare(at, ev.Alerts, got)...)
	}
	return diff, nil
}

// needsStart reports whether some series is given by position, which
// needs a start time.
func needsStart(c Case) bool {
	for _, s := range c.Series {
		if s.Values != "" {
			return true
		}
	}
	return false
}

// buildRule puts a metric together as the engine's Build does, over src.
func buildRule(cfg *config.Config, m config.Metric, src Memory) (engine.Rule, error) {
	det, desc, err := methods.Build(m)
	if err != nil {
		return engine.Rule{}, err
	}
	m.Detect.History = desc.History
	return engine.Rule{
		Metric:     m,
		SourceName: "test",
		Source:     src,
		Detector:   det,
		Method:     desc.Text,
		Timeout:    cfg.Defaults.Timeout,
	}, nil
}

// series turns a spec into a Series on the grid from start, step apart.
func (s SeriesSpec) series(dir string, start time.Time, step time.Duration, loc *time.Location) (Series, error) {
	given := 0
	for _, set := range []bool{s.Values != "", s.Points != nil, s.CSV != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		return Series{}, fmt.Errorf("give exactly one of values, points and csv")
	}
	if loc == nil {
		loc = time.UTC
	}
	out := Series{Start: start, Step: step}
	var err error
	switch {
	case s.Values != "":
		out.Values, err = ParseValues(s.Values)
	case s.Points != nil:
		out, err = fromPoints(s.Points, step, loc)
	default:
		out, err = fromCSV(filepath.Join(dir, s.CSV), step, loc)
	}
	if err != nil {
		return Series{}, err
	}
	if s.Weights != "" {
		if out.Weight, err = ParseValues(s.Weights); err != nil {
			return Series{}, fmt.Errorf("weights: %w", err)
		}
		if len(out.Weight) != len(out.Values) {
			return Series{}, fmt.Errorf("%d weights for %d values", len(out.Weight), len(out.Values))
		}
	}
	return out, nil
}

func fromCSV(path string, step time.Duration, loc *time.Location) (Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return Series{}, err
	}
	defer f.Close()
	in, err := backtest.Options{Granularity: step, Location: loc}.ReadCSV(f)
	if err != nil {
		return Series{}, fmt.Errorf("%s: %w", path, err)
	}
	return Series{Start: in.Series.Start, Step: step, Values: in.Series.Values}, nil
}
