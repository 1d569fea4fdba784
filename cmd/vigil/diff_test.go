package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// diffConfig is a DuckDB config whose init creates an hourly table, flat
// at 100, with three anomalies of different sizes: 40 and 80 (drops) and
// 130 (a rise).
const diffConfig = `sources:
  db:
    type: duckdb
    init:
      - >-
        CREATE TABLE events AS SELECT ts,
          CASE ts WHEN TIMESTAMP '2024-03-05 10:00' THEN 40
                  WHEN TIMESTAMP '2024-03-07 10:00' THEN 80
                  WHEN TIMESTAMP '2024-03-09 10:00' THEN 130
                  ELSE 100 END AS v
        FROM generate_series(TIMESTAMP '2024-02-01', TIMESTAMP '2024-03-20 23:00', INTERVAL 1 HOUR) t(ts)
notifiers:
  out: {type: console}
rules: rules/
defaults: {schedule: "@hourly", delay: 1h, granularity: 1h}
`

// events is the rule whose sensitivity changes between the two configs.
const oldDiffRules = `metrics:
  - {name: events, table: events, timestamp: ts, value: sum(v), detect: {method: threshold, lower: 90}}
  - {name: legacy, table: events, timestamp: ts, value: count(), detect: {method: threshold, upper: 5}}
  - {name: steady, table: events, timestamp: ts, value: count(), detect: {method: threshold, lower: 0.5}}
`

const newDiffRules = `metrics:
  - {name: events, table: events, timestamp: ts, value: sum(v), detect: {method: threshold, lower: 50, upper: 120}}
  - {name: steady, table: events, timestamp: ts, value: count(), detect: {method: threshold, lower: 0.5}}
  - {name: spikes, table: events, timestamp: ts, value: max(v), detect: {method: threshold, upper: 125}}
`

func writeDiffConfig(t *testing.T, dir, rules string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(diffConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules", "r.yaml"), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
}

const wantDiff = `### vigil diff against %s

Replayed from 2024-03-01 00:00 to 2024-03-15 00:00 UTC.

| rule | change | alerts before | alerts after | added | removed |
|---|---|---:|---:|---:|---:|
| events | changed: detect.lower, detect.upper | 2 | 2 | 1 | 1 |
| spikes | added | — | 1 | 1 | 0 |
| legacy | removed | 0 | — | 0 | 0 |

#### events

Added alerts (1):
- 2024-03-09 10:00 UTC: 130, expected 120 (up)
Removed alerts (1):
- 2024-03-07 10:00 UTC: 80, expected 90 (down)

#### spikes

Added alerts (1):
- 2024-03-09 10:00 UTC: 130, expected 125 (up)
`

func TestDiff(t *testing.T) {
	oldDir, newDir := t.TempDir(), t.TempDir()
	writeDiffConfig(t, oldDir, oldDiffRules)
	writeDiffConfig(t, newDir, newDiffRules)
	old := filepath.Join(oldDir, "vigil.yaml")
	out, errOut, code := vigil(t, newDir, "diff", "--config", "vigil.yaml", "--against", old, "--from", "2024-03-01", "--to", "2024-03-15")
	if code != exitOK {
		t.Fatalf("vigil diff = %d, stderr:\n%s", code, errOut)
	}
	if want := strings.Replace(wantDiff, "%s", old, 1); out != want {
		t.Errorf("vigil diff printed\n%s\nwant\n%s", out, want)
	}
}

func TestDiffGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	writeDiffConfig(t, dir, oldDiffRules)
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q")
	run("add", ".")
	run("commit", "-q", "-m", "old rules")
	writeDiffConfig(t, dir, newDiffRules) // the working tree now holds the new rules
	out, errOut, code := vigil(t, dir, "diff", "--config", "vigil.yaml", "--against", "git:HEAD", "--from", "2024-03-01", "--to", "2024-03-15")
	if code != exitOK {
		t.Fatalf("vigil diff = %d, stderr:\n%s", code, errOut)
	}
	if want := strings.Replace(wantDiff, "%s", "git:HEAD", 1); out != want {
		t.Errorf("vigil diff printed\n%s\nwant\n%s", out, want)
	}
	_, errOut, code = vigil(t, dir, "diff", "--against", "git:nosuchrev")
	if code != exitConfig || !strings.Contains(errOut, "nosuchrev") {
		t.Errorf("vigil diff against a bad revision = %d, %q; want 1 naming it", code, errOut)
	}
}
