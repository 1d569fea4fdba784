package config

import (
	"fmt"
	"time"
)

// Config is a loaded, validated configuration with defaults applied.
type Config struct {
	File      string              // path of the config file as given
	Sources   map[string]Source   // by name
	Notifiers map[string]Notifier // by name
	RulesDir  string              // absolute or relative to the working directory, resolved from the config file's folder
	State     string              // state file path, resolved like RulesDir
	Defaults  Defaults
	Metrics   []Metric // every metric of every rules file, in file then document order
	History   History  // where incident history is written; see history.go
}

// Pos locates a value in a file.
type Pos struct {
	File   string
	Line   int
	Column int
}

// String returns "file:line:column".
func (p Pos) String() string { return posString(p) }

// Source is a warehouse connection.
type Source struct {
	Name string
	Type string // "duckdb" or "clickhouse"
	// DuckDB
	Path string   // database file; empty means in memory
	Init []string // statements run once at open, e.g. CREATE VIEW ... FROM 'x.parquet'
	Demo bool     // load vigil's generated demo tables at open
	// ClickHouse
	DSN              string // clickhouse://user:pass@host:9000/db?...
	TLS              TLS
	ConnectTimeout   time.Duration
	MaxExecutionTime time.Duration // sent as the max_execution_time setting
	// Both
	QueryTimeout   time.Duration // per query, enforced by vigil
	MaxConcurrency int           // queries in flight at once against this source
	Pos            Pos
}

// TLS configures an encrypted ClickHouse connection.
type TLS struct {
	Enabled            bool
	InsecureSkipVerify bool
	CAFile             string
	ServerName         string
}

// Notifier is a place alerts go to.
type Notifier struct {
	Name    string
	Type    string // "console", "slack" or "webhook"
	Channel string // slack
	Token   string // slack; from the environment, never printed
	URL     string // webhook; may hold a token in its path, so printed as scheme and host only
	// Slack only. AppToken (xapp-…, from the environment) turns on the
	// buttons; empty leaves them off.
	AppToken          string
	ChannelBySeverity map[string]string // "minor", "major", "critical" → channel
	Mentions          map[string]string // owner handle ("@growth-oncall") → Slack ID (S…, U…)
	Chart             string            // "native" (default), "image" or "none"
	Digest            string            // cron schedule of the digest; empty for none
	DigestOnly        bool              // alerts go only into the digest
	AllowedChannels   []string          // channels where buttons act; empty: any
	AllowedUsers      []string          // users whose clicks act; empty with AllowedGroups: anyone
	AllowedGroups     []string          // user groups whose members' clicks act
	// Disabled is set when the notifier's secret (token or url) came from
	// an environment variable that expanded to nothing, as
	// `token: ${SLACK_BOT_TOKEN:-}` does when it is unset: vigil skips it.
	Disabled bool
	Pos      Pos
}

// Defaults are applied to every metric that does not set the field itself.
// A loaded Config's Defaults hold the built-in values for what the file
// leaves unset, except Detect.Seasonality and Detect.History, whose built-in
// values depend on each metric's granularity (see Metric.Detect).
type Defaults struct {
	Schedule    string
	Timezone    string
	Granularity time.Duration
	Delay       time.Duration
	Source      string   // empty: a metric without source uses the only source, if there is one
	Notify      []string // empty: a metric without notify uses the only notifier, if there is one
	Detect      Detect
	Timeout     time.Duration // per evaluation
	Alerting    Alerting      // complete: built-in values fill what defaults: leaves unset
}

// Metric is one watched metric: what to query and how to judge it.
type Metric struct {
	Name        string
	Description string
	Owner       string
	Runbook     string
	Unit        string
	// SlackChannel sends this metric's alerts to its own channel on every
	// Slack notifier it notifies, over their channel and channel_by_severity.
	SlackChannel string
	Source       string
	// Structured form.
	Table       string
	Timestamp   string
	Value       string // aggregate expression; empty for ratio and SQL metrics
	Numerator   string // ratio metric: sum(Numerator)/sum(Denominator) per bucket
	Denominator string
	Filter      string
	Dimensions  []string
	// Escape hatch: SQL with {{from}}, {{to}} and {{bucket_seconds}}.
	SQL string

	Granularity time.Duration
	Delay       time.Duration // data settles after Delay: buckets younger than it are never judged
	Schedule    string        // cron expression or @every/@hourly descriptor; see CronSpec
	Timezone    string
	Location    *time.Location // Timezone loaded
	FillZero    bool           // absent buckets are zero rather than missing
	Detect      Detect
	Notify      []string
	Alerting    Alerting // incident lifecycle and notification settings; see alerting.go
	Pos         Pos      // where the metric's entry starts

	// Explain bounds the drill-down behind an anomaly; zero values take
	// the defaults.
	Explain Explain

	// Completeness judges from an arrival column when a bucket's data is
	// in, on top of Delay; off unless completeness.arrival is set.
	Completeness Completeness
}

// Ratio reports whether the metric is a ratio of two sums.
func (m Metric) Ratio() bool { return m.Numerator != "" }

func posString(p Pos) string {
	switch {
	case p.Line <= 0:
		return p.File
	case p.Column <= 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}
