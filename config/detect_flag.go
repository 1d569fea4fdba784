package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ParseDetect validates detect settings given outside a config file, such
// as on a command line, and returns the metric they describe: the metric a
// rules file would give with only granularity, timezone and detect set,
// checked as strictly as Load checks it (unknown keys, values, keys the
// method does not read, history against the granularity) and with every
// default applied. It has no name, query, source or notifiers.
//
// spec is a YAML mapping of detect keys, its braces optional:
// "method: stl, period: 1d, robust: false". ${VAR} is expanded from the
// environment as in a config file. On failure the error is a *Errors whose
// problems name their key (detect.period) but no file position.
func ParseDetect(spec string, granularity time.Duration, timezone string) (Metric, error) {
	var errs []Error
	var secrets []string
	d := &decoder{lookup: os.LookupEnv, errs: &errs, secrets: &secrets, budget: nodeBudget}
	root, err := parseSpec(spec)
	if err != nil {
		return Metric{}, &Errors{{Path: "detect", Msg: err.Error()}}
	}
	cfg := &Config{Sources: map[string]Source{}, Notifiers: map[string]Notifier{}}
	defaults := &rawDefaults{sc: d.scope("defaults.", "", Pos{})}
	cfg.Defaults = checkDefaults(defaults, cfg)
	m := &rawMetric{origin: map[string]string{}, sc: d.scope("", "", Pos{})}
	m.Granularity, m.Timezone = granularity, timezone
	m.sc.at["granularity"], m.sc.at["timezone"], m.sc.at["detect"] = Pos{}, Pos{}, Pos{}
	nested(detectFields(&m.Detect))(m.sc, "detect", root)
	out := newMetricChecker(cfg, defaults).checkDetectOnly(m)
	if len(errs) > 0 {
		sortErrors(errs, map[string]int{})
		e := Errors(dedupe(errs))
		return Metric{}, &e
	}
	return out, nil
}

// checkDetectOnly is check for a metric that sets only its granularity,
// timezone and detect settings.
func (c *metricChecker) checkDetectOnly(m *rawMetric) Metric {
	checkTiming(m.sc, m.Schedule, m.Timezone, m.Granularity)
	checkDetect(m.sc, m.Detect)
	c.inherit(m)
	checkMethod(m)
	loc, err := loadLocation(m.Timezone)
	if err != nil {
		loc = time.UTC // reported with the timezone
	}
	m.Location = loc
	return m.Metric
}

// parseSpec parses a detect mapping written with or without its braces.
// An empty spec is an empty mapping.
func parseSpec(spec string) (*yaml.Node, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}, nil
	}
	n, err := parseNode(s)
	if err != nil && !strings.HasPrefix(s, "{") {
		return parseNode("{" + s + "}") // a flow mapping without its braces
	}
	return n, err // a list or a single value is reported by the decoder
}

// parseNode parses one YAML document.
func parseNode(s string) (n *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("invalid YAML: %v", r)
		}
	}()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader([]byte(s)))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid YAML: want one mapping, got more than one document")
	}
	return root(&doc), nil
}
