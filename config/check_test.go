package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

// okRules is a valid rules file for the config-level cases.
const okRules = "metrics: [{name: m, table: t, timestamp: ts, value: count()}]\n"

// TestLoadConfigErrors loads config files that each hold one mistake and
// checks that exactly one problem is reported, containing want.
func TestLoadConfigErrors(t *testing.T) {
	setSecrets(t)
	unsetenv(t, "VIGIL_TEST_UNSET")
	const src = "sources: {db: {type: duckdb}}\n"
	const out = "notifiers: {out: {type: console}}\n"
	tests := []struct {
		name   string
		config string
		rules  string // default okRules; "-" for no rules folder
		want   string
	}{
		{"unknown key", src + out + "stat: x.db\n", "", `vigil.yaml:3:1: stat: unknown key; did you mean "state"?`},
		{"unknown nested key", src + out + "defaults: {detect: {sensitivty: low}}\n", "",
			`vigil.yaml:3:21: defaults.detect.sensitivty: unknown key; did you mean "sensitivity"?`},
		{"source without type", "sources: {db: {path: x.db}}\n" + out, "", "vigil.yaml:1:11: sources.db.type: missing; set type: duckdb or type: clickhouse"},
		{"source type typo", "sources: {db: {type: duck}}\n" + out, "", `sources.db.type: unknown source type "duck"; did you mean "duckdb"?`},
		{"clickhouse without dsn", "sources: {ch: {type: clickhouse}}\n" + out, "", "sources.ch.dsn: missing; set dsn: ${CLICKHOUSE_DSN}"},
		{"dsn password in file", "sources: {ch: {type: clickhouse, dsn: 'clickhouse://u:pw@h:9000/db'}}\n" + out, "",
			"sources.ch.dsn: holds a password written in the file; take it from the environment"},
		{"dsn password in file query", "sources: {ch: {type: clickhouse, dsn: 'clickhouse://h:9000/db?password=pw'}}\n" + out, "",
			"sources.ch.dsn: holds a password written in the file"},
		{"dsn not a url", "sources: {ch: {type: clickhouse, dsn: 'mysql://h/db'}}\n" + out, "", "sources.ch.dsn: not a ClickHouse DSN"},
		{"duckdb with dsn", "sources: {db: {type: duckdb, dsn: 'clickhouse://h:9000'}}\n" + out, "", "sources.db.dsn: is for clickhouse only; remove it (this one is duckdb)"},
		{"clickhouse with init", "sources: {ch: {type: clickhouse, dsn: '${CLICKHOUSE_DSN}', init: [x]}}\n" + out, "", "sources.ch.init: is for duckdb only"},
		{"tls without enabled", "sources: {ch: {type: clickhouse, dsn: '${CLICKHOUSE_DSN}', tls: {ca_file: ca.pem}}}\n" + out, "",
			"sources.ch.tls.ca_file: has no effect unless tls.enabled is true"},
		{"concurrency zero", "sources: {db: {type: duckdb, max_concurrency: 0}}\n" + out, "", "sources.db.max_concurrency: must be at least 1, got 0"},
		{"concurrency wrong type", "sources: {db: {type: duckdb, max_concurrency: many}}\n" + out, "", `sources.db.max_concurrency: want a whole number, got "many"`},
		{"demo wrong type", "sources: {db: {type: duckdb, demo: 'yes'}}\n" + out, "", `sources.db.demo: want true or false, got "yes"`},
		{"timeout zero", "sources: {db: {type: duckdb, query_timeout: 0}}\n" + out, "", "sources.db.query_timeout: must be positive"},
		{"bad source name", "sources: {Ware House: {type: duckdb}}\n" + out, "", `vigil.yaml:1:11: sources.Ware House: invalid name "Ware House"`},
		{"duplicate source", "sources:\n  db: {type: duckdb}\n  db: {type: duckdb}\n" + out, "", "vigil.yaml:3:3: sources.db: duplicate key; first given at line 2"},
		{"slack token in file", src + "notifiers: {s: {type: slack, channel: '#a', token: xoxb-1}}\n", "",
			"notifiers.s.token: is written in the file; take it from the environment: token: ${SLACK_BOT_TOKEN}"},
		{"slack without channel", src + "notifiers: {s: {type: slack, token: '${SLACK_BOT_TOKEN}'}}\n", "", `notifiers.s.channel: missing; set channel: "#alerts"`},
		{"webhook bad url", src + "notifiers: {w: {type: webhook, url: 'ftp://x/y'}}\n", "", "notifiers.w.url: not an http(s) URL"},
		{"webhook without url", src + "notifiers: {w: {type: webhook}}\n", "", "notifiers.w.url: missing"},
		{"console with channel", src + "notifiers: {c: {type: console, channel: '#a'}}\n", "", "notifiers.c.channel: is for other notifier types only"},
		{"notifier type", src + "notifiers: {e: {type: email}}\n", "", `notifiers.e.type: unknown notifier type "email" (valid: console, slack, webhook)`},
		{"defaults timezone", src + out + "defaults: {timezone: Europe/Berln}\n", "", `defaults.timezone: unknown time zone "Europe/Berln"`},
		{"defaults schedule", src + out + "defaults: {schedule: '@hourlyy'}\n", "", "defaults.schedule: invalid cron expression"},
		{"defaults granularity", src + out + "defaults: {granularity: 7m}\n", "", "defaults.granularity: must divide one day evenly"},
		{"defaults source", src + out + "defaults: {source: dv}\n", "", `defaults.source: unknown source "dv"; did you mean "db"? (defined: db)`},
		{"defaults notify", src + out + "defaults: {notify: [out, pager]}\n", "", `vigil.yaml:3:26: defaults.notify[1]: unknown notifier "pager"`},
		{"defaults threshold and sensitivity", src + out + "defaults: {detect: {threshold: 3, sensitivity: high}}\n", "",
			"defaults.detect.threshold: give threshold or sensitivity, not both"},
		{"defaults timeout", src + out + "defaults: {timeout: 0s}\n", "", "defaults.timeout: must be positive"},
		{"defaults bad duration", src + out + "defaults: {delay: 2 hours}\n", "", `defaults.delay: invalid duration "2 hours"`},
		{"defaults granularity against seasonality", src + out + "defaults: {granularity: 2d, detect: {seasonality: daily}}\n", "",
			`rules/ok.yaml:1:11: metric "m": detect.seasonality: daily seasonality needs a granularity that divides 1d, got granularity 2d (from defaults.granularity)`},
		{"defaults history too short", src + out + "defaults: {detect: {history: 1w}}\n", "",
			`rules/ok.yaml:1:11: metric "m": detect.history: need at least 3 seasons (3w for weekly seasonality), got 1w (from defaults.detect.history)`},
		{"defaults method needs settings", src + out + "defaults: {detect: {method: change, offset: 1d}}\n", "",
			`rules/ok.yaml:1:11: metric "m": detect.max: missing; method change needs the largest allowed change`},
		{"key not for the inherited method", src + out + "defaults: {detect: {method: threshold, upper: 5}}\n",
			"metrics: [{name: m, table: t, timestamp: ts, value: count(), detect: {history: 2w}}]\n",
			`rules/ok.yaml:1:80: metric "m": detect.history: does not apply to method threshold (from defaults.detect.method); history is read by methods seasonal and auto only`},
		{"defaults mute", src + out + "defaults: {detect: {mute: [{schedule: '0 2 * * *'}]}}\n", "",
			"vigil.yaml:3:28: defaults.detect.mute[0].duration: missing; say how long the window stays open"},
		{"defaults freshness up", src + out + "defaults: {detect: {method: freshness, direction: up}}\n", "",
			`rules/ok.yaml:1:11: metric "m": detect.direction: method freshness judges missing data, which is a drop; use direction: down or both, got up (from defaults.detect.direction)`},
		{"missing rules folder", src + out, "-", "vigil.yaml:1:1: rules: cannot read rules folder rules: file does not exist; create it"},
		{"rules folder is a file", src + out + "rules: rules/ok.yaml\n", "", "rules: cannot read rules folder rules/ok.yaml: not a folder"},
		{"empty state", src + out + "state: ''\n", "", `state: must not be empty; remove the key to use "vigil-state.db"`},
		{"null value", src + out + "rules:\n", "", "rules: missing value; give a string or remove the key"},
		{"two documents", src + out + "---\nrules: x\n", "", "vigil.yaml:4:1: the config file holds more than one YAML document"},
		{"syntax error", src + out + "rules: [\n", "", "vigil.yaml:4: invalid YAML: did not find expected node content"},
		{"not a mapping", "- a\n- b\n", "-", "vigil.yaml:1:1: want a mapping of keys to values, got a list"},
		{"no sources", out, "", "sources: no sources defined; add one"},
		{"no notifiers", src, "", "vigil.yaml:1:1: notifiers: no notifiers defined, so no alert can be sent"},
		{"unset variable", src + out + "state: ${VIGIL_TEST_UNSET}/x.db\n", "", "vigil.yaml:3:8: state: environment variable VIGIL_TEST_UNSET is not set"},
		{"merge of a scalar", src + out + "defaults: {<<: 5}\n", "", "defaults.<<: a merge key takes a mapping or a list of mappings, got a single value"},
		{"source needed", "sources: {a: {type: duckdb}, b: {type: duckdb}}\n" + out, "",
			`rules/ok.yaml:1:11: metric "m": source: missing; set source here or defaults.source (defined: a, b)`},
		{"notify needed", src + "notifiers: {a: {type: console}, b: {type: console}}\n", "",
			`rules/ok.yaml:1:11: metric "m": notify: missing; list notifiers here or in defaults.notify (defined: a, b)`},
		{"alias bomb", src + out + aliasBomb, "", "aliases expand to more than 200000 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"vigil.yaml": {Data: []byte(tt.config)}}
			switch tt.rules {
			case "":
				fsys["rules/ok.yaml"] = &fstest.MapFile{Data: []byte(okRules)}
			case "-":
			default:
				fsys["rules/ok.yaml"] = &fstest.MapFile{Data: []byte(tt.rules)}
			}
			cfg, err := LoadFS(fsys, "vigil.yaml")
			if cfg != nil || err == nil {
				t.Fatalf("LoadFS() = %v, nil; want an error containing %q", cfg, tt.want)
			}
			errs := errorList(t, err)
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want) {
				t.Errorf("LoadFS() errors:\n%v\nwant exactly one, containing %q", err, tt.want)
			}
		})
	}
}

// aliasBomb is a few lines of YAML whose merge keys stand for 10^8
// mappings.
const aliasBomb = `x-a: &a {delay: 1h}
x-b: &b {<<: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]}
x-c: &c {<<: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]}
x-d: &d {<<: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]}
x-e: &e {<<: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]}
x-f: &f {<<: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]}
x-g: &g {<<: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]}
x-h: &h {<<: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]}
x-i: &i {<<: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]}
defaults: {<<: *i}
`

// mapFS is a file system with vigil.yaml and rules/r.yaml.
func mapFS(config, rules string) fstest.MapFS {
	return fstest.MapFS{
		"vigil.yaml":   {Data: []byte(config)},
		"rules/r.yaml": {Data: []byte(rules)},
	}
}
