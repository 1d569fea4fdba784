package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
)

// secretsIn lists the secrets of these tests that s contains.
func secretsIn(s string) []string {
	var found []string
	for _, sec := range []string{testToken, testPassword, testHook, "LITERAL-TOKEN-abc123", "SECRET-IN-BAD-DSN"} {
		if strings.Contains(s, sec) {
			found = append(found, sec)
		}
	}
	return found
}

// TestSecretsNeverPrinted loads configs whose errors concern the very fields
// that hold secrets, and checks that no error text shows one.
func TestSecretsNeverPrinted(t *testing.T) {
	setSecrets(t)
	t.Setenv("BAD_DSN", "clickhouse:// SECRET-IN-BAD-DSN @ nowhere")
	t.Setenv("BAD_HOOK", "ftp://SECRET-IN-BAD-DSN")
	const out = "notifiers: {out: {type: console}}\n"
	tests := []struct {
		name   string
		config string
		path   string // a problem must concern this key
	}{
		{"token in the file", "sources: {d: {type: duckdb}}\nnotifiers: {s: {type: slack, channel: '#a', token: LITERAL-TOKEN-abc123}}\n", "notifiers.s.token"},
		{"token of wrong type", "sources: {d: {type: duckdb}}\nnotifiers: {s: {type: slack, channel: '#a', token: [LITERAL-TOKEN-abc123]}}\n", "notifiers.s.token"},
		{"token with bad reference", "sources: {d: {type: duckdb}}\nnotifiers: {s: {type: slack, channel: '#a', token: 'LITERAL-TOKEN-abc123${'}}\n", "notifiers.s.token"},
		{"token with odd reference", "sources: {d: {type: duckdb}}\nnotifiers: {s: {type: slack, channel: '#a', token: '${X:?LITERAL-TOKEN-abc123}'}}\n", "notifiers.s.token"},
		{"token as channel", "sources: {d: {type: duckdb}}\nnotifiers: {s: {type: slack, channel: 'x ${SLACK_BOT_TOKEN}', token: '${SLACK_BOT_TOKEN}'}}\n", "notifiers.s.channel"},
		{"token on console", "sources: {d: {type: duckdb}}\nnotifiers: {c: {type: console, token: '${SLACK_BOT_TOKEN}'}}\n", "notifiers.c.token"},
		{"password in dsn", "sources: {c: {type: clickhouse, dsn: 'clickhouse://u:" + testPassword + "@h:9000'}}\n" + out, "sources.c.dsn"},
		{"dsn not a url", "sources: {c: {type: clickhouse, dsn: '${BAD_DSN}'}}\n" + out, "sources.c.dsn"},
		{"dsn on duckdb", "sources: {d: {type: duckdb, dsn: '${CLICKHOUSE_DSN}'}}\n" + out, "sources.d.dsn"},
		{"dsn on unknown type", "sources: {d: {type: postgres, dsn: '${CLICKHOUSE_DSN}'}}\n" + out, "sources.d.type"},
		{"dsn duplicated", "sources: {c: {type: clickhouse, dsn: '${CLICKHOUSE_DSN}', dsn: '${CLICKHOUSE_DSN}'}}\n" + out, "sources.c.dsn"},
		{"webhook url bad", "sources: {d: {type: duckdb}}\nnotifiers: {w: {type: webhook, url: '${BAD_HOOK}'}}\n", "notifiers.w.url"},
		{"webhook url on slack", "sources: {d: {type: duckdb}}\nnotifiers: {s: {type: slack, channel: '#a', token: '${SLACK_BOT_TOKEN}', url: '${WEBHOOK_URL}'}}\n", "notifiers.s.url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"vigil.yaml":    {Data: []byte(tt.config)},
				"rules/ok.yaml": {Data: []byte(okRules)},
			}
			_, err := LoadFS(fsys, "vigil.yaml")
			errs := errorList(t, err)
			if s := secretsIn(err.Error()); s != nil {
				t.Errorf("errors show secrets %q:\n%v", s, err)
			}
			if s := secretsIn(fmt.Sprintf("%v %+v %#v", errs, errs, errs)); s != nil {
				t.Errorf("formatted errors show secrets %q", s)
			}
			found := false
			for _, e := range errs {
				found = found || e.Path == tt.path
			}
			if !found {
				t.Errorf("errors:\n%v\nwant one about %s", err, tt.path)
			}
		})
	}
}

// TestSecretsNotInOutput checks that a loaded config prints, formats and
// logs without its secrets.
func TestSecretsNotInOutput(t *testing.T) {
	setSecrets(t)
	cfg, err := Load("testdata/good/full.good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	for name, s := range cfg.Sources {
		log.Info("source", "name", name, "source", s)
	}
	for name, n := range cfg.Notifiers {
		log.Info("notifier", "name", name, "notifier", n)
	}
	for _, out := range []string{
		cfg.Summary(),
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprintf("%v %+v %#v", cfg.Sources, cfg.Sources, cfg.Sources),
		fmt.Sprintf("%v %+v %#v", cfg.Notifiers, cfg.Notifiers, cfg.Notifiers),
		fmt.Sprint(cfg.Sources["warehouse"]), fmt.Sprint(cfg.Notifiers["growth"]),
		logs.String(),
	} {
		if s := secretsIn(out); s != nil {
			t.Errorf("output shows secrets %q:\n%s", s, out)
		}
	}
	// The values are there for the program to use.
	if cfg.Notifiers["growth"].Token != testToken || cfg.Sources["warehouse"].DSN != testDSN || cfg.Notifiers["hook"].URL != testHook {
		t.Error("secrets were not loaded from the environment")
	}
}
