package config

// Placeholder loader until the config package lands: strict YAML decoding of
// the config file and its rules folder, with a few checks and defaults.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Summary returns "2 sources, 5 rules, 1 notifier".
func (c *Config) Summary() string {
	plural := func(n int, w string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, w)
		}
		return fmt.Sprintf("%d %ss", n, w)
	}
	return plural(len(c.Sources), "source") + ", " + plural(len(c.Metrics), "rule") + ", " + plural(len(c.Notifiers), "notifier")
}

type pdur time.Duration

func (d *pdur) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	*d = pdur(v)
	return err
}

// ParseDuration accepts Go durations plus d (days) and w (weeks).
func ParseDuration(s string) (time.Duration, error) {
	if m := regexp.MustCompile(`^(\d+)([dw])$`).FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := 24 * time.Hour
		if m[2] == "w" {
			unit *= 7
		}
		return time.Duration(n) * unit, nil
	}
	return time.ParseDuration(s)
}

type rawDetect struct {
	Method      string  `yaml:"method"`
	Seasonality string  `yaml:"seasonality"`
	History     pdur    `yaml:"history"`
	Sensitivity string  `yaml:"sensitivity"`
	Threshold   float64 `yaml:"threshold"`
	Direction   string  `yaml:"direction"`
	MinDelta    float64 `yaml:"min_delta"`
	MinVolume   float64 `yaml:"min_volume"`
}

type rawFile struct {
	Sources map[string]struct {
		Type           string   `yaml:"type"`
		Path           string   `yaml:"path"`
		Init           []string `yaml:"init"`
		Demo           bool     `yaml:"demo"`
		DSN            string   `yaml:"dsn"`
		QueryTimeout   pdur     `yaml:"query_timeout"`
		MaxConcurrency int      `yaml:"max_concurrency"`
	} `yaml:"sources"`
	Notifiers map[string]struct {
		Type    string `yaml:"type"`
		Channel string `yaml:"channel"`
		Token   string `yaml:"token"`
		URL     string `yaml:"url"`
	} `yaml:"notifiers"`
	Rules    string `yaml:"rules"`
	State    string `yaml:"state"`
	Defaults struct {
		Schedule    string    `yaml:"schedule"`
		Timezone    string    `yaml:"timezone"`
		Granularity pdur      `yaml:"granularity"`
		Delay       pdur      `yaml:"delay"`
		Source      string    `yaml:"source"`
		Notify      []string  `yaml:"notify"`
		Detect      rawDetect `yaml:"detect"`
		Timeout     pdur      `yaml:"timeout"`
	} `yaml:"defaults"`
}

type rawMetric struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Owner       string     `yaml:"owner"`
	Runbook     string     `yaml:"runbook"`
	Unit        string     `yaml:"unit"`
	Source      string     `yaml:"source"`
	Table       string     `yaml:"table"`
	Timestamp   string     `yaml:"timestamp"`
	Value       string     `yaml:"value"`
	Numerator   string     `yaml:"numerator"`
	Denominator string     `yaml:"denominator"`
	Filter      string     `yaml:"filter"`
	Dimensions  []string   `yaml:"dimensions"`
	SQL         string     `yaml:"sql"`
	Granularity pdur       `yaml:"granularity"`
	Delay       *pdur      `yaml:"delay"`
	Schedule    string     `yaml:"schedule"`
	Timezone    string     `yaml:"timezone"`
	FillZero    bool       `yaml:"fill_zero"`
	Detect      *rawDetect `yaml:"detect"`
	Notify      []string   `yaml:"notify"`
}

var lineRe = regexp.MustCompile(`^line (\d+): (.*)$`)

// decode strictly decodes data into v, reporting problems as file:line:col.
func decode(file string, data []byte, v any) []error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return []error{fmt.Errorf("%s: %w", file, err)}
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	err := dec.Decode(v)
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if err != nil {
			return []error{fmt.Errorf("%s: %w", file, err)}
		}
		return nil
	}
	var errs []error
	for _, msg := range te.Errors {
		m := lineRe.FindStringSubmatch(msg)
		if m == nil {
			errs = append(errs, fmt.Errorf("%s: %s", file, msg))
			continue
		}
		line, _ := strconv.Atoi(m[1])
		errs = append(errs, fmt.Errorf("%s:%d:%d: %s", file, line, column(&root, line), m[2]))
	}
	return errs
}

func column(n *yaml.Node, line int) int {
	if n.Line == line {
		return n.Column
	}
	for _, c := range n.Content {
		if col := column(c, line); col > 0 {
			return col
		}
	}
	return 0
}

// Load reads the config file at path and every *.yaml file of its rules folder.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	var raw rawFile
	if errs := decode(path, data, &raw); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c := &Config{File: path, Sources: map[string]Source{}, Notifiers: map[string]Notifier{}}
	var errs []error
	for name, s := range raw.Sources {
		if s.Type != "duckdb" && s.Type != "clickhouse" {
			errs = append(errs, fmt.Errorf("%s: source %q: unknown type %q", path, name, s.Type))
		}
		c.Sources[name] = Source{Name: name, Type: s.Type, Path: s.Path, Init: s.Init, Demo: s.Demo, DSN: os.ExpandEnv(s.DSN),
			QueryTimeout: time.Duration(s.QueryTimeout), MaxConcurrency: max(s.MaxConcurrency, 4)}
	}
	for name, n := range raw.Notifiers {
		c.Notifiers[name] = Notifier{Name: name, Type: n.Type, Channel: n.Channel, Token: os.ExpandEnv(n.Token), URL: n.URL}
	}
	d := raw.Defaults
	c.Defaults = Defaults{Schedule: or(d.Schedule, "@hourly"), Timezone: or(d.Timezone, "UTC"), Granularity: time.Duration(d.Granularity),
		Delay: time.Duration(d.Delay), Source: d.Source, Notify: d.Notify, Timeout: time.Duration(d.Timeout), Detect: detect(d.Detect)}
	if c.Defaults.Granularity == 0 {
		c.Defaults.Granularity = time.Hour
	}
	if c.Defaults.Timeout == 0 {
		c.Defaults.Timeout = time.Minute
	}
	c.RulesDir = filepath.Join(filepath.Dir(path), or(raw.Rules, "rules"))
	files, _ := filepath.Glob(filepath.Join(c.RulesDir, "*.yaml"))
	sort.Strings(files)
	for _, f := range files {
		errs = append(errs, c.loadRules(f)...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func (c *Config) loadRules(file string) []error {
	data, err := os.ReadFile(file)
	if err != nil {
		return []error{err}
	}
	var raw struct {
		Metrics []rawMetric `yaml:"metrics"`
	}
	if errs := decode(file, data, &raw); len(errs) > 0 {
		return errs
	}
	var errs []error
	for _, r := range raw.Metrics {
		m := Metric{Name: r.Name, Description: r.Description, Owner: r.Owner, Runbook: r.Runbook, Unit: r.Unit,
			Source: or(r.Source, c.Defaults.Source), Table: r.Table, Timestamp: r.Timestamp, Value: r.Value,
			Numerator: r.Numerator, Denominator: r.Denominator, Filter: r.Filter, Dimensions: r.Dimensions, SQL: r.SQL,
			Granularity: time.Duration(r.Granularity), Delay: c.Defaults.Delay, Schedule: or(r.Schedule, c.Defaults.Schedule),
			Timezone: or(r.Timezone, c.Defaults.Timezone), FillZero: r.FillZero, Detect: c.Defaults.Detect,
			Notify: r.Notify, Pos: Pos{File: file, Line: 1, Column: 1}}
		if m.Granularity == 0 {
			m.Granularity = c.Defaults.Granularity
		}
		if r.Delay != nil {
			m.Delay = time.Duration(*r.Delay)
		}
		if r.Detect != nil {
			m.Detect = detect(*r.Detect)
		}
		if m.Notify == nil {
			m.Notify = c.Defaults.Notify
		}
		if m.Location, err = time.LoadLocation(m.Timezone); err != nil {
			errs = append(errs, fmt.Errorf("%s: metric %q: timezone: %w", m.Pos, m.Name, err))
		}
		if _, ok := c.Sources[m.Source]; !ok {
			errs = append(errs, fmt.Errorf("%s: metric %q: source: unknown source %q", m.Pos, m.Name, m.Source))
		}
		c.Metrics = append(c.Metrics, m)
	}
	return errs
}

func detect(r rawDetect) Detect {
	d := Detect{Method: or(r.Method, "seasonal"), Seasonality: or(r.Seasonality, "weekly"), History: time.Duration(r.History),
		Sensitivity: or(r.Sensitivity, "medium"), Threshold: r.Threshold, Direction: or(r.Direction, "both"),
		MinDelta: r.MinDelta, MinVolume: r.MinVolume}
	if d.History == 0 {
		d.History = 8 * 7 * 24 * time.Hour
	}
	return d
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
