package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/config"
	"vigil/notifiers/slack/slacktest"
)

const onlineConfig = `sources:
  db:
    type: duckdb
    init: ["CREATE TABLE orders AS SELECT now()::TIMESTAMP - INTERVAL (i) HOUR AS created_at, 10.0 AS amount FROM range(0, 100) t(i)"]
notifiers:
  out: {type: console}
  hook: {type: webhook, url: "https://hooks.example.com/x"}
  chat: {type: slack, channel: "#x", token: "${VIGIL_TEST_UNSET_TOKEN:-}"}
rules: rules/
defaults: {schedule: "@hourly", delay: 1h, granularity: 1h, notify: [out]}
`

const onlineRules = `metrics:
  - name: orders
    table: orders
    timestamp: created_at
    value: count()
  - name: revenue
    table: orders
    timestamp: created_at
    value: sum(amout)
`

func TestCheckOnline(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "rules"), 0o755)
	os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(onlineConfig), 0o644)
	os.WriteFile(filepath.Join(dir, "rules", "r.yaml"), []byte(onlineRules), 0o644)

	out, errOut, code := vigil(t, dir, "check", "--online")
	if code != exitFailed {
		t.Errorf("vigil check --online = %d, want %d", code, exitFailed)
	}
	for _, want := range []string{"ok    source db opened", "ok    rule orders: query ran in", "(3 of 3 buckets with data)",
		"skip  notifier chat: its token is empty", "skip  notifier hook: not checked", "ok    notifier out"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "rule revenue") {
		t.Errorf("the broken rule is reported as ok:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `rules/r.yaml:6:5: rule "revenue": query failed:`) ||
		!strings.Contains(lines[0], "amout") || lines[1] != "vigil check: 1 online check(s) failed" {
		t.Errorf("stderr = %q; want the rule, its position and the missing column named, then the count", errOut)
	}

	// Without --online nothing is queried: the broken column passes.
	out, _, code = vigil(t, dir, "check")
	if code != exitOK || out != "1 source, 2 rules, 3 notifiers\n" {
		t.Errorf("vigil check = %d, %q; want 0 and the summary only", code, out)
	}
}

func TestCheckNotifierSlack(t *testing.T) {
	const token = "xoxb-test-SECRET"
	fake := slacktest.New(t, token, "xapp-unused")
	fake.AddChannel(slacktest.Channel{ID: "C1", Name: "alerts", Member: true})
	fake.AddChannel(slacktest.Channel{ID: "C2", Name: "elsewhere", Member: false})
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name, token, channel string
		critical             string // channel_by_severity.critical
		wantStatus, wantErr  string
	}{
		{"works", token, "#alerts", "", "ok", ""},
		{"bad token", "xoxb-wrong-SECRET", "#alerts", "", "", "token"},
		{"not a member", token, "#elsewhere", "", "", "invite"},
		{"severity channel only", token, "", "#alerts", "ok", ""},
		{"severity channel not a member", token, "#alerts", "#elsewhere", "", "invite"},
		{"empty token", "", "#alerts", "", "skip", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc := config.Notifier{Name: "chat", Type: "slack", Token: tt.token, Channel: tt.channel}
			if tt.critical != "" {
				nc.ChannelBySeverity = map[string]string{"critical": tt.critical}
			}
			status, msg, err := checkNotifier(context.Background(), nc, log, fake.APIURL())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "SECRET") {
					t.Errorf("checkNotifier error = %v; want %q, and no token", err, tt.wantErr)
				}
				return
			}
			if err != nil || status != tt.wantStatus {
				t.Errorf("checkNotifier = %q, %q, %v; want status %q", status, msg, err, tt.wantStatus)
			}
		})
	}
	status, _, err := checkNotifier(context.Background(), config.Notifier{Type: "webhook", URL: "https://x"}, log, fake.APIURL())
	if status != "skip" || err != nil {
		t.Errorf("webhook: %q, %v; want skipped", status, err)
	}
}
