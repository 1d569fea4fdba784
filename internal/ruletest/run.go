package ruletest

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"vigil/config"
	"vigil/detector/explain"
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
		r.Diff, r.Err = runCase(ctx, cfg, path, c)
		out = append(out, r)
	}
	return out
}

// runCase evaluates the metrics given series at each eval time. path is
// the test file, for positions in errors.
func runCase(ctx context.Context, cfg *config.Config, path string, c Case) ([]string, error) {
	start, gran, err := grid(c)
	if err != nil {
		return nil, err
	}
	mem := Memory{}
	order := map[string][]string{}
	var rules []engine.Rule
	for _, m := range cfg.Metrics {
		spec, ok := c.Series[m.Name]
		if !ok {
			continue
		}
		if m.Dimensions, err = segmentDimensions(m, spec); err != nil {
			return nil, located(path, prefixed(fmt.Sprintf("series %q: ", m.Name), err))
		}
		step := gran
		if step == 0 {
			step = m.Granularity
		}
		s, err := spec.series(filepath.Dir(path), start, step, m.Location, m.Ratio())
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", m.Name, err)
		}
		mem[m.Name], order[m.Name] = s, m.Dimensions
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
	if err := checkContributors(c, order); err != nil {
		return nil, located(path, err)
	}
	e := engine.New(rules, engine.Options{Incidents: everyAnomaly{}})
	var diff []string
	for _, ev := range c.Evals {
		at, err := backtest.ParseTime(ev.At)
		if err != nil {
			return nil, fmt.Errorf("eval at: %w", err)
		}
		got := alertsOf(e.Once(ctx, at, nil), order)
		diff = append(diff, compare(at, ev.Alerts, got)...)
	}
	return diff, nil
}

// grid reads the case's start and granularity; a zero granularity means
// each rule's own.
func grid(c Case) (start time.Time, gran time.Duration, err error) {
	switch {
	case c.Start != "":
		if start, err = backtest.ParseTime(c.Start); err != nil {
			return start, 0, fmt.Errorf("start: %w", err)
		}
	case needsStart(c):
		return start, 0, fmt.Errorf("start is required: the time of the first of the values")
	}
	if c.Granularity != "" {
		if gran, err = config.ParseDuration(c.Granularity); err != nil || gran <= 0 {
			return start, 0, fmt.Errorf("granularity %q: want a positive duration such as 1h", c.Granularity)
		}
	}
	return start, gran, nil
}

// everyAnomaly opens an incident at every anomalous verdict, so that each
// evaluation's alert is explained the way the daemon explains an alert
// when its incident opens, whatever the evaluations before it said.
type everyAnomaly struct{}

// Observe implements engine.Incidents.
func (everyAnomaly) Observe(_ string, _ time.Time, anomalous bool) engine.Change {
	if anomalous {
		return engine.Opened
	}
	return engine.Unchanged
}

// needsStart reports whether some series is given by position, which
// needs a start time.
func needsStart(c Case) bool {
	for _, s := range c.Series {
		if s.Values != "" || s.Segments != nil {
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
		Explain: explain.Options{MaxQueries: m.Explain.MaxQueries, MaxDuration: m.Explain.MaxDuration,
			MinShare: m.Explain.MinShare, MaxDepth: m.Explain.MaxDepth},
		Timeout: cfg.Defaults.Timeout,
	}, nil
}
