package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Built-in defaults, used where neither a metric nor defaults: sets a value.
const (
	defaultGranularity    = time.Hour
	defaultDelay          = time.Hour
	defaultSchedule       = "@hourly"
	defaultTimezone       = "UTC"
	defaultTimeout        = 2 * time.Minute
	defaultSensitivity    = "medium"
	defaultDirection      = "both"
	defaultRules          = "rules"
	defaultState          = "vigil-state.db"
	defaultConcurrency    = 4
	defaultConnectTimeout = 10 * time.Second
	defaultQueryTimeout   = time.Minute
)

// checkConfig validates the config file's own settings and builds the
// Config without metrics. join resolves a path against the config file's
// folder.
func checkConfig(raw *rawConfig, file string, join func(string) string) *Config {
	cfg := &Config{File: file, Sources: map[string]Source{}, Notifiers: map[string]Notifier{}}
	for _, s := range raw.sources {
		cfg.Sources[s.Name] = checkSource(s, join)
	}
	for _, n := range raw.notifiers {
		cfg.Notifiers[n.Name] = checkNotifier(n)
	}
	if len(raw.sources) == 0 && !raw.sc.bad["sources"] {
		raw.sc.errorf("sources", "no sources defined; add one, e.g. sources: {local: {type: duckdb, demo: true}}")
	}
	cfg.Defaults = checkDefaults(raw.defaults, cfg)
	cfg.RulesDir = join(orDefault(raw, "rules", raw.rules, defaultRules))
	cfg.State = join(orDefault(raw, "state", raw.state, defaultState))
	cfg.History = checkHistory(raw, cfg)
	return cfg
}

func orDefault(raw *rawConfig, key, v, def string) string {
	if !raw.sc.has(key) {
		return def
	}
	if v == "" {
		raw.sc.errorf(key, "must not be empty; remove the key to use %q", def)
		return def
	}
	return v
}

func checkSource(s *rawSource, join func(string) string) Source {
	sc := s.sc
	src := s.Source
	if err := checkName(src.Name); err != nil {
		sc.errorf("", "%v", err)
	}
	if !sc.has("type") {
		if !sc.bad["type"] {
			sc.errorf("type", "missing; set type: duckdb or type: clickhouse")
		}
		return src
	}
	sc.check("type", checkEnum("source type", src.Type, sourceTypes))
	sc.check("connect_timeout", positive(src.ConnectTimeout, "10s"))
	sc.check("query_timeout", positive(src.QueryTimeout, "1m"))
	sc.check("max_execution_time", positive(src.MaxExecutionTime, "1m"))
	if sc.has("max_concurrency") && src.MaxConcurrency < 1 {
		sc.errorf("max_concurrency", "must be at least 1, got %d", src.MaxConcurrency)
	}
	if !sc.has("max_concurrency") {
		src.MaxConcurrency = defaultConcurrency
	}
	if !sc.has("query_timeout") {
		src.QueryTimeout = defaultQueryTimeout
	}
	switch src.Type {
	case "duckdb":
		notFor(sc, "duckdb", "clickhouse", "dsn", "tls", "connect_timeout", "max_execution_time")
		if src.Path != "" && src.Path != ":memory:" {
			src.Path = join(src.Path)
		}
	case "clickhouse":
		notFor(sc, "clickhouse", "duckdb", "path", "init", "demo")
		checkDSN(s)
		checkTLS(sc, &src.TLS, join)
		if !sc.has("connect_timeout") {
			src.ConnectTimeout = defaultConnectTimeout
		}
		if !sc.has("max_execution_time") {
			src.MaxExecutionTime = src.QueryTimeout
		}
	}
	return src
}

// notFor reports keys that only sources or notifiers of another type read.
func notFor(sc *scope, typ, other string, keys ...string) {
	for _, k := range keys {
		if _, ok := sc.at[k]; ok {
			sc.errorf(k, "is for %s only; remove it (this one is %s)", other, typ)
		}
	}
}

// checkDSN checks a ClickHouse DSN without ever quoting it: it may hold a
// password.
func checkDSN(s *rawSource) {
	sc := s.sc
	if !sc.has("dsn") {
		if !sc.bad["dsn"] {
			sc.errorf("dsn", "missing; set dsn: ${CLICKHOUSE_DSN} with e.g. CLICKHOUSE_DSN=clickhouse://user:password@host:9000/database")
		}
		return
	}
	u, err := url.Parse(s.DSN)
	if err != nil || u.Host == "" || !slices.Contains([]string{"clickhouse", "tcp", "http", "https"}, u.Scheme) {
		sc.errorf("dsn", "not a ClickHouse DSN; write clickhouse://user:password@host:9000/database (value not shown: it may hold a password)")
		return
	}
	pw, hasPW := u.User.Password()
	if qpw := u.Query().Get("password"); qpw != "" {
		pw, hasPW = qpw, true
	}
	if hasPW {
		*sc.d.secrets = append(*sc.d.secrets, pw)
		if sc.literal["dsn"] {
			sc.errorf("dsn", "holds a password written in the file; take it from the environment, e.g. dsn: ${CLICKHOUSE_DSN}")
		}
	}
}

func checkTLS(sc *scope, t *TLS, join func(string) string) {
	if !t.Enabled {
		for _, k := range []string{"tls.insecure_skip_verify", "tls.ca_file", "tls.server_name"} {
			if _, ok := sc.at[k]; ok {
				sc.errorf(k, "has no effect unless tls.enabled is true")
			}
		}
	}
	if t.CAFile != "" {
		t.CAFile = join(t.CAFile)
	}
}

func checkNotifier(n *rawNotifier) Notifier {
	sc := n.sc
	nt := n.Notifier
	if err := checkName(nt.Name); err != nil {
		sc.errorf("", "%v", err)
	}
	if !sc.has("type") {
		if !sc.bad["type"] {
			sc.errorf("type", "missing; set type: console, slack or webhook")
		}
		return nt
	}
	sc.check("type", checkEnum("notifier type", nt.Type, notifierTypes))
	switch nt.Type {
	case "console":
		notFor(sc, "console", "other notifier types", append([]string{"channel", "token", "url"}, slackOnly...)...)
	case "slack":
		notFor(sc, "slack", "webhook", "url")
		if len(nt.ChannelBySeverity) == 0 || sc.has("channel") {
			required(sc, "channel", nt.Channel, `set channel: "#alerts" (the bot must be invited to it)`)
		}
		if fromEmptyVariable(sc, "token", nt.Token) {
			nt.Disabled = true
		} else {
			required(sc, "token", nt.Token, "set token: ${SLACK_BOT_TOKEN} (a bot token, xoxb-...)")
		}
		if sc.has("token") && sc.literal["token"] {
			sc.errorf("token", "is written in the file; take it from the environment: token: ${SLACK_BOT_TOKEN}")
		}
		checkChannel(sc, "channel", nt.Channel)
		nt = checkSlack(sc, nt)
	case "webhook":
		notFor(sc, "webhook", "slack", append([]string{"channel", "token"}, slackOnly...)...)
		if fromEmptyVariable(sc, "url", nt.URL) {
			nt.Disabled = true
		} else {
			required(sc, "url", nt.URL, "set url: ${WEBHOOK_URL}")
		}
		if sc.has("url") && nt.URL != "" {
			u, err := url.Parse(nt.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				sc.errorf("url", "not an http(s) URL (value not shown: it may hold a secret)")
			}
		}
	}
	return nt
}

// fromEmptyVariable reports whether key's value came from the environment and
// is empty, as `token: ${SLACK_BOT_TOKEN:-}` is when the variable is unset:
// the notifier is then switched off rather than refused, so one config serves
// machines with and without the secret.
func fromEmptyVariable(sc *scope, key, v string) bool {
	return sc.has(key) && !sc.bad[key] && !sc.literal[key] && v == ""
}

// required reports key when it is absent or empty, unless its value was
// already reported.
func required(sc *scope, key, v, hint string) {
	switch {
	case sc.bad[key]:
	case !sc.has(key):
		sc.errorf(key, "missing; %s", hint)
	case v == "":
		sc.errorf(key, "empty; %s", hint)
	}
}

// checkDefaults checks each setting of defaults: on its own and returns
// them with built-in values for what they leave unset. Seasonality and history stay as given:
// their defaults depend on each metric's granularity.
func checkDefaults(d *rawDefaults, cfg *Config) Defaults {
	sc := d.sc
	out := d.Defaults
	checkTiming(sc, out.Schedule, out.Timezone, out.Granularity)
	sc.check("timeout", positive(out.Timeout, "2m"))
	checkDetect(sc, out.Detect)
	if sc.has("source") {
		if _, ok := cfg.Sources[out.Source]; !ok {
			sc.errorf("source", "%v", refError("source", out.Source, sortedKeys(cfg.Sources)))
		}
	}
	checkNotify(sc, out.Notify, cfg)
	fill := func(key string, dst *string, v string) {
		if !sc.has(key) {
			*dst = v
		}
	}
	fill("schedule", &out.Schedule, defaultSchedule)
	fill("timezone", &out.Timezone, defaultTimezone)
	fillDetectDefaults(sc, &out.Detect)
	if !sc.has("granularity") {
		out.Granularity = defaultGranularity
	}
	if !sc.has("delay") {
		out.Delay = defaultDelay
	}
	if !sc.has("timeout") {
		out.Timeout = defaultTimeout
	}
	out.Alerting = defaultAlerting(sc, out.Alerting)
	return out
}

// checkNotify checks a notify list: not empty, no repeats, every name
// defined.
func checkNotify(sc *scope, names []string, cfg *Config) {
	if !sc.has("notify") {
		return
	}
	if len(names) == 0 {
		sc.errorf("notify", "empty list; name at least one notifier (defined: %s)", strings.Join(sortedKeys(cfg.Notifiers), ", "))
		return
	}
	for i, name := range names {
		item := fmt.Sprintf("notify[%d]", i)
		switch {
		case slices.Contains(names[:i], name):
			sc.errorf(item, "lists %q twice", name)
		case !hasKey(cfg.Notifiers, name):
			sc.errorf(item, "%v", refError("notifier", name, sortedKeys(cfg.Notifiers)))
		default:
			continue
		}
		sc.bad["notify"] = true
	}
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
