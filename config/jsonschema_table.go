package config

// This table describes every key of the config file and of rules files for
// the JSON Schema that "vigil schema" prints. jsonschema_test.go checks it
// against the decoder's field lists in schema.go and decode_detect.go, so a
// key added there and not here (or the reverse) fails the tests.

// kind is the JSON Schema shape of a key's value.
type kind int

const (
	kString       kind = iota // any string
	kDuration                 // 90s, 15m, 1h, 8w, 0
	kInt                      // a whole number
	kNumber                   // a number
	kBool                     // true or false
	kStrings                  // a list of strings
	kFraction                 // a number or a percentage such as "5%"
	kSeasonality              // daily, weekly, none or [daily, weekly]
	kOffset                   // a duration or a number of buckets
	kLevel                    // auto, none, ratio, difference, or a boolean
	kMute                     // a list of {schedule, duration}
	kQuietWindows             // a list of {days, dates, from, to}
	kObject                   // a mapping with the keys in keyDoc.keys
	kStringMap                // a mapping of any names to strings
)

// keyDoc is one key: its name, shape, allowed values and meaning.
type keyDoc struct {
	key      string
	kind     kind
	enum     []string // allowed values of a string
	desc     string
	keys     []keyDoc // kObject: its keys
	required bool
}

var tlsDoc = []keyDoc{
	{key: "enabled", kind: kBool, desc: "ClickHouse only: connect with TLS"},
	{key: "insecure_skip_verify", kind: kBool, desc: "skip certificate checks (needs tls.enabled)"},
	{key: "ca_file", kind: kString, desc: "CA bundle to trust, relative to the config file (needs tls.enabled)"},
	{key: "server_name", kind: kString, desc: "name expected in the server's certificate (needs tls.enabled)"},
}

var sourceDoc = []keyDoc{
	{key: "type", kind: kString, enum: sourceTypes, required: true, desc: "backend"},
	{key: "path", kind: kString, desc: "DuckDB only: database file; empty or :memory: means in memory"},
	{key: "init", kind: kStrings, desc: "DuckDB only: SQL statements run once at open"},
	{key: "demo", kind: kBool, desc: "DuckDB only: load vigil's generated demo tables at open"},
	{key: "dsn", kind: kString, desc: "ClickHouse only: clickhouse://user:password@host:9000/db; write it as ${CLICKHOUSE_DSN}"},
	{key: "tls", kind: kObject, keys: tlsDoc, desc: "ClickHouse only: TLS settings"},
	{key: "connect_timeout", kind: kDuration, desc: "ClickHouse only: time to establish a connection (default 10s)"},
	{key: "query_timeout", kind: kDuration, desc: "per query, enforced by vigil (default 1m)"},
	{key: "max_execution_time", kind: kDuration, desc: "ClickHouse only: sent as the max_execution_time setting (default query_timeout)"},
	{key: "max_concurrency", kind: kInt, desc: "queries in flight at once against this source (default 4)"},
}

var notifierDoc = []keyDoc{
	{key: "type", kind: kString, enum: notifierTypes, required: true, desc: "console prints alerts to standard output"},
	{key: "channel", kind: kString, desc: "Slack only: #channel or channel ID"},
	{key: "token", kind: kString, desc: "Slack only: bot token, written as ${SLACK_BOT_TOKEN}"},
	{key: "url", kind: kString, desc: "webhook only: http(s) URL alerts are posted to"},
	{key: "app_token", kind: kString, desc: "Slack only: app-level token (xapp-…) for the buttons, written as ${SLACK_APP_TOKEN}; empty: no buttons"},
	{key: "channel_by_severity", kind: kObject, keys: severityDoc, desc: "Slack only: channel per severity, over channel"},
	{key: "mentions", kind: kStringMap, desc: "Slack only: owner handle (@growth-oncall) → Slack user group (S…) or user (U…) ID"},
	{key: "chart", kind: kString, enum: chartModes, desc: "Slack only: chart in the message (default native)"},
	{key: "digest", kind: kString, desc: "Slack only: cron schedule of a summary message per channel"},
	{key: "digest_only", kind: kBool, desc: "Slack only: alerts go only into the digest (needs digest)"},
	{key: "allowed_channels", kind: kStrings, desc: "Slack only: channels where the buttons act; empty: any"},
	{key: "allowed_users", kind: kStrings, desc: "Slack only: user IDs whose clicks act; with allowed_groups empty too: anyone"},
	{key: "allowed_groups", kind: kStrings, desc: "Slack only: user group IDs whose members' clicks act"},
}

var severityDoc = []keyDoc{
	{key: "minor", kind: kString, desc: "channel for minor alerts"},
	{key: "major", kind: kString, desc: "channel for major alerts"},
	{key: "critical", kind: kString, desc: "channel for critical alerts"},
}

var excludeDoc = []keyDoc{
	{key: "incidents", kind: kBool, desc: "keep past incidents out of the baselines (default true)"},
	{key: "feedback", kind: kBool, desc: "keep buckets confirmed as anomalies out of the baselines (default true)"},
	{key: "mutes", kind: kBool, desc: "keep buckets in mute windows out of the baselines (default true)"},
	{key: "holidays", kind: kBool, desc: "keep holidays out of the baselines (default true)"},
}

var detectDoc = []keyDoc{
	{key: "method", kind: kString, enum: Methods(), desc: "how the metric is judged (default seasonal)"},
	{key: "seasonality", kind: kSeasonality, desc: "seasonal, stl, holt_winters, cusum: daily, weekly, none, or [daily, weekly] (seasonal only)"},
	{key: "history", kind: kDuration, desc: "seasonal, auto: how far back the baseline looks (default 8 seasons)"},
	{key: "level_adjust", kind: kLevel, desc: "seasonal: how past seasons are moved onto the current level: auto (default), none, ratio, difference; true is ratio, false none"},
	{key: "lower", kind: kNumber, desc: "threshold: values below are anomalous"},
	{key: "upper", kind: kNumber, desc: "threshold: values above are anomalous"},
	{key: "offset", kind: kOffset, desc: "change: how far back the reference lies: 1d, 1w, or a number of buckets"},
	{key: "periods", kind: kInt, desc: "change: how many past periods the reference takes (default 1)"},
	{key: "aggregate", kind: kString, enum: aggregates, desc: "change: how past periods are combined (default mean)"},
	{key: "relative", kind: kBool, desc: "change: max is a fraction of the reference"},
	{key: "max", kind: kFraction, desc: "change: the largest allowed change: 500 or 20%"},
	{key: "period", kind: kDuration, desc: "stl: the season as a duration, instead of seasonality"},
	{key: "seasons", kind: kInt, desc: "stl: seasons of history each decomposition uses (default 6)"},
	{key: "robust", kind: kBool, desc: "stl: down-weight outliers in the history (default true)"},
	{key: "multiplicative", kind: kBool, desc: "holt_winters: the seasonal swing grows with the level"},
	{key: "alpha", kind: kNumber, desc: "holt_winters: smoothing of the level, between 0 and 1"},
	{key: "beta", kind: kNumber, desc: "holt_winters: smoothing of the trend, between 0 and 1"},
	{key: "gamma", kind: kNumber, desc: "holt_winters: smoothing of the season, between 0 and 1"},
	{key: "window", kind: kDuration, desc: "cusum: the baseline's length; freshness: the span giving the typical value"},
	{key: "k", kind: kNumber, desc: "cusum: allowance in standard deviations (default 0.5)"},
	{key: "h", kind: kNumber, desc: "cusum: decision interval in standard deviations"},
	{key: "max_age", kind: kDuration, desc: "freshness: the longest run of missing buckets that passes silently"},
	{key: "sensitivity", kind: kString, enum: sensitivities, desc: "robust z-score beyond which a point is anomalous: 5, 4, 3 (default medium)"},
	{key: "threshold", kind: kNumber, desc: "an explicit robust z-score instead of sensitivity"},
	{key: "direction", kind: kString, enum: directions, desc: "which moves alert (default both)"},
	{key: "min_delta", kind: kNumber, desc: "smallest absolute difference from expected that alerts"},
	{key: "min_rel_delta", kind: kFraction, desc: "smallest difference as a fraction of expected: 0.05 or 5%"},
	{key: "min_volume", kind: kNumber, desc: "buckets whose volume is below this never alert"},
	{key: "consecutive", kind: kInt, desc: "breaches in a row before a bucket alerts (default 1)"},
	{key: "mute", kind: kMute, desc: "recurring windows in which nothing alerts: [{schedule: \"0 2 * * *\", duration: 1h}]"},
	{key: "holidays", kind: kStrings, desc: "dates YYYY-MM-DD on which nothing alerts"},
	{key: "missing", kind: kString, enum: missings, desc: "what a missing bucket is: ignored, or an alert (default ignore)"},
	{key: "exclude", kind: kObject, keys: excludeDoc, desc: "which past buckets are kept out of the baselines"},
}

// alertingDoc are the incident lifecycle keys a metric or defaults may set.
var alertingDoc = []keyDoc{
	{key: "resolve_after", kind: kInt, desc: "normal buckets in a row that resolve an incident (default 2)"},
	{key: "reopen_within", kind: kInt, desc: "buckets after a resolution within which a new breach re-opens the same incident (default 6; 0 never)"},
	{key: "renotify", kind: kDuration, desc: "how often to remind of an incident that keeps firing (default 24h; 0 never)"},
	{key: "catch_up", kind: kInt, desc: "most missed buckets judged after vigil was down (default 24)"},
	{key: "failing_after", kind: kInt, desc: "failed evaluations in a row before the owner is told the rule is failing (default 3)"},
	{key: "quiet_hours", kind: kQuietWindows, desc: "windows that hold notifications (detection goes on; detect.mute stops it): [{days: [sat, sun]}, {from: \"22:00\", to: \"06:00\"}]"},
}

var completenessDoc = []keyDoc{
	{key: "arrival", kind: kString, required: true, desc: "column holding each row's arrival (ingestion) time"},
	{key: "min", kind: kFraction, desc: "share of a bucket's usual rows that must have arrived before it is judged (default 95%)"},
	{key: "max_wait", kind: kDuration, desc: "age after which a still-incomplete bucket is reported as late data (default 6h)"},
}

var explainDoc = []keyDoc{
	{key: "max_queries", kind: kInt, desc: "breakdown queries at most (default 3, one per level)"},
	{key: "max_duration", kind: kDuration, desc: "time for all breakdown queries (default 20s)"},
	{key: "min_share", kind: kFraction, desc: "share of the change that counts as explained (default 80%)"},
	{key: "max_depth", kind: kInt, desc: "largest combination of dimensions searched, 1 to 3 (default 3)"},
}

var defaultsOwnDoc = []keyDoc{
	{key: "schedule", kind: kString, desc: "cron expression or @hourly, @daily, @every 15m (default @hourly)"},
	{key: "timezone", kind: kString, desc: "IANA zone (default UTC)"},
	{key: "granularity", kind: kDuration, desc: "bucket width (default 1h)"},
	{key: "delay", kind: kDuration, desc: "how long data takes to settle (default 1h)"},
	{key: "source", kind: kString, desc: "source of metrics that name none"},
	{key: "notify", kind: kStrings, desc: "notifiers of metrics that name none"},
	{key: "timeout", kind: kDuration, desc: "limit for one evaluation of a metric (default 2m)"},
	{key: "detect", kind: kObject, keys: detectDoc, desc: "detect settings for every metric, merged key by key"},
}

var metricOwnDoc = []keyDoc{
	{key: "name", kind: kString, required: true, desc: "unique across all rules files: lower-case letters, digits, _, . and -"},
	{key: "description", kind: kString, desc: "what the metric is, shown in alerts"},
	{key: "owner", kind: kString, desc: "who to ask, e.g. @growth-oncall"},
	{key: "runbook", kind: kString, desc: "link shown in alerts"},
	{key: "slack_channel", kind: kString, desc: "channel of this metric's alerts on its Slack notifiers, over theirs"},
	{key: "unit", kind: kString, desc: "unit of the value, e.g. EUR, %"},
	{key: "source", kind: kString, desc: "where to query (default defaults.source)"},
	{key: "table", kind: kString, desc: "table or view"},
	{key: "timestamp", kind: kString, desc: "time column that puts rows into buckets"},
	{key: "value", kind: kString, desc: "SQL aggregate per bucket: count(), sum(amount)"},
	{key: "numerator", kind: kString, desc: "ratio metric: sum(numerator) / sum(denominator)"},
	{key: "denominator", kind: kString, desc: "ratio metric: the denominator"},
	{key: "filter", kind: kString, desc: "SQL condition: rows to count"},
	{key: "dimensions", kind: kStrings, desc: "columns an anomaly is broken down by"},
	{key: "sql", kind: kString, desc: "a full query returning (bucket, value) rows, with {{from}} and {{to}}"},
	{key: "granularity", kind: kDuration, desc: "bucket width (default defaults.granularity, else 1h)"},
	{key: "delay", kind: kDuration, desc: "how long data takes to settle (default defaults.delay, else 1h)"},
	{key: "schedule", kind: kString, desc: "when to evaluate: cron or @hourly, @every 15m"},
	{key: "timezone", kind: kString, desc: "IANA zone for daily buckets, seasonal slots and the schedule"},
	{key: "fill", kind: kString, enum: fills, desc: "what a bucket with no rows is (default missing)"},
	{key: "detect", kind: kObject, keys: detectDoc, desc: "how to judge the metric"},
	{key: "notify", kind: kStrings, desc: "where alerts go"},
}

// defaultsDoc and metricDoc add the alerting keys (and a metric's
// completeness) to their own keys.
var (
	defaultsDoc = concatDocs(defaultsOwnDoc, alertingDoc)
	metricDoc   = concatDocs(metricOwnDoc, alertingDoc, []keyDoc{
		{key: "completeness", kind: kObject, keys: completenessDoc, desc: "judge when a bucket's data is in from an arrival column, and report late data"},
		{key: "explain", kind: kObject, keys: explainDoc, desc: "limits of the drill-down that explains an anomaly"},
	})
)

func concatDocs(docs ...[]keyDoc) []keyDoc {
	var out []keyDoc
	for _, d := range docs {
		out = append(out, d...)
	}
	return out
}
