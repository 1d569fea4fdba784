// Package ruletest runs rule unit tests: YAML files (orders_test.yaml) that
// feed a config's rules fixed series and say which alerts each evaluation
// must raise. Rules are built with methods.Build and evaluated by
// engine.Once, exactly as the daemon evaluates them; only the source is
// replaced by one serving the test's series. A series given per segment
// of the rule's dimensions is served broken down too (Memory implements
// sources.Breakdowner), so that an alert is explained by the engine's own
// drill-down and a test can say which segment must top it.
package ruletest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"
)

// File is a rule test file.
type File struct {
	// Config is the config file whose rules are tested, relative to the
	// test file; empty means the first vigil.yaml in the test file's
	// folder or a folder above it.
	Config string `yaml:"config"`
	Tests  []Case `yaml:"tests"`
}

// Case is one test: series for some metrics, and the alerts expected at
// each evaluation. Only the metrics given series are evaluated.
type Case struct {
	Name        string                `yaml:"name"`
	Start       string                `yaml:"start"`       // time of the first value of every series
	Granularity string                `yaml:"granularity"` // step of the series; default each rule's granularity
	Series      map[string]SeriesSpec `yaml:"series"`      // by metric name
	Evals       []Eval                `yaml:"evals"`
}

// SeriesSpec gives a metric's values in one of four ways. Segments give
// the series per segment of the rule's dimensions, which the metric's
// total adds up and alerts are explained by.
type SeriesSpec struct {
	Values   string        `yaml:"values"`   // compact notation, see ParseValues
	Weights  string        `yaml:"weights"`  // a ratio's denominator per bucket, same notation; default 1
	Points   []PointSpec   `yaml:"points"`   // explicit points, each on a bucket start
	CSV      string        `yaml:"csv"`      // a CSV file with timestamp and value columns, relative to the test file
	Segments []SegmentSpec `yaml:"segments"` // the series per segment, from start
}

// PointSpec is one explicit value; a null value is missing.
type PointSpec struct {
	Time  string   `yaml:"time"`
	Value *float64 `yaml:"value"`
}

// Eval is one evaluation, at a wall-clock time, with the alerts it must
// raise: none when Alerts is empty.
type Eval struct {
	At     string      `yaml:"at"`
	Alerts []AlertSpec `yaml:"alerts"`
}

// AlertSpec is an expected alert. Fields left empty are not checked.
type AlertSpec struct {
	Metric    string    `yaml:"metric"`
	Bucket    string    `yaml:"bucket"`    // start of the bucket judged
	Direction string    `yaml:"direction"` // up or down
	Expected  []float64 `yaml:"expected"`  // [low, high]: the expected value lies within
	Value     []float64 `yaml:"value"`     // [low, high]: the actual value lies within
	// Contributor is the segment the alert's explanation must name first:
	// exactly these dimension values.
	Contributor *ContributorSpec `yaml:"contributor"`
	Share       []float64        `yaml:"share"` // [low, high]: the contributor's share of the change lies within
}

// ReadFile reads and decodes a test file; unknown keys are errors.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(bytes.NewReader(data), path)
}

// Parse decodes a test file read from r; name is used in errors.
func Parse(r io.Reader, name string) (*File, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, located(name, err)
	}
	if len(f.Tests) == 0 {
		return nil, fmt.Errorf("%s: no tests; write tests: [{name: ..., series: ..., evals: ...}]", name)
	}
	for i, c := range f.Tests {
		if c.Name == "" {
			return nil, fmt.Errorf("%s: tests[%d]: name is required", name, i)
		}
		if len(c.Series) == 0 || len(c.Evals) == 0 {
			return nil, fmt.Errorf("%s: test %q: needs series and evals", name, c.Name)
		}
		if err := checkCase(c); err != nil {
			return nil, located(name, prefixed(fmt.Sprintf("test %q: ", c.Name), err))
		}
	}
	return &f, nil
}

// checkCase checks what a case says on its own, before any config.
func checkCase(c Case) error {
	for _, metric := range slices.Sorted(maps.Keys(c.Series)) {
		if err := checkSeries(c.Series[metric]); err != nil {
			return prefixed(fmt.Sprintf("series %q: ", metric), err)
		}
	}
	for _, e := range c.Evals {
		for _, a := range e.Alerts {
			if a.Metric == "" || !isRange(a.Expected) || !isRange(a.Value) || !isRange(a.Share) {
				return fmt.Errorf("eval at %s: each alert needs a metric, and expected, value and share are [low, high]", e.At)
			}
			if a.Share != nil && a.Contributor == nil {
				return fmt.Errorf("eval at %s: alert %s: share is the contributor's share; give the contributor too", e.At, a.Metric)
			}
		}
	}
	return nil
}

// checkSeries checks the segments of a series, if it has any.
func checkSeries(s SeriesSpec) error {
	switch {
	case s.Segments == nil:
		return nil
	case len(s.Segments) == 0:
		return errors.New("segments: empty; give at least one")
	case s.Values != "" || s.Weights != "" || s.Points != nil || s.CSV != "":
		return errors.New("segments replace values, weights, points and csv: give each segment its own values and weights")
	}
	return checkSegments(s.Segments)
}

// isRange reports whether r is absent or [low, high] with low <= high.
func isRange(r []float64) bool {
	return r == nil || (len(r) == 2 && r[0] <= r[1])
}

// findConfig returns the config file a test file uses.
func findConfig(testPath, given string) (string, error) {
	dir := filepath.Dir(testPath)
	if given != "" {
		return filepath.Join(dir, given), nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "vigil.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s: no config: name it with config: or put vigil.yaml in its folder or one above", testPath)
		}
	}
}
