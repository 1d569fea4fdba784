package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
