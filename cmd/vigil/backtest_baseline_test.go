package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
)

// baselineConfig is a DuckDB source with hourly signups, about 100 an
// hour, that jumped to 400 at 10:00 UTC every day from 1 March. The daemon
// alerted on the jumps of 1 to 4 March, and with detect.exclude.incidents
// (the default) kept them out of the baselines, so that on 5 March the
// jump is still judged against the 100 of the weeks before and alerts
// again. Without them left out, four of the seven days of the baseline of
// 10:00 are jumps, which makes 400 expected.
const baselineConfig = `sources:
  local:
    type: duckdb
    init:
      - >-
        CREATE TABLE signups AS
        SELECT ts AS created_at,
               CASE WHEN hour(ts) = 10 AND ts >= TIMESTAMP '2024-03-01 00:00:00' THEN 400.0
                    ELSE 100 + (CAST(epoch(ts) AS BIGINT) / 3600 * 7919) % 11 END AS n
        FROM generate_series(TIMESTAMP '2024-02-20 00:00:00', TIMESTAMP '2024-03-07 23:00:00', INTERVAL 1 HOUR) AS t(ts)
notifiers:
  stdout: {type: console}
rules: rules/
`

const baselineRules = `metrics:
  - name: signups
    table: signups
    timestamp: created_at
    value: sum(n)
    granularity: 1h
    timezone: UTC
    detect: {method: seasonal, seasonality: daily, history: 7d%s}
`

// writeBaselineConfig writes the config, with extra detect settings, and
// returns its folder and state file.
func writeBaselineConfig(t *testing.T, detect string) (dir, statePath string) {
	t.Helper()
	dir = t.TempDir()
	must(t, os.Mkdir(filepath.Join(dir, "rules"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(baselineConfig), 0o644))
	rules := strings.Replace(baselineRules, "%s", detect, 1)
	must(t, os.WriteFile(filepath.Join(dir, "rules", "signups.yaml"), []byte(rules), 0o644))
	cfg, err := config.Load(filepath.Join(dir, "vigil.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, cfg.State
}

// storeJumps records the incidents the daemon opened on the jumps of 1 to
// 4 March, each resolved an hour later.
func storeJumps(t *testing.T, path string) {
	t.Helper()
	s, err := state.Open(path, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for day := 1; day <= 4; day++ {
		b := time.Date(2024, 3, day, 10, 0, 0, 0, time.UTC)
		inc := state.Incident{Rule: "signups", State: state.Resolved, Start: b, LastBucket: b,
			ResolvedAt: b.Add(time.Hour), Breaches: 1, Points: []time.Time{b}}
		must(t, s.PutIncident(&inc))
	}
}

// TestBacktestBaselineLeavesOutIncidents replays 5 March as the daemon
// judged it: with the stored incidents kept out of the baseline the jump
// at 10:00 alerts, as it did live; without the state (or with
// exclude.incidents off) it does not. A daemon holding the state file
// changes nothing when its snapshot is there to copy.
func TestBacktestBaselineLeavesOutIncidents(t *testing.T) {
	jump := []string{"2024-03-05 10:00 UTC"}
	tests := []struct {
		name   string
		detect string
		setup  func(t *testing.T, path string)
		want   []string
		note   string // on stderr
	}{
		{name: "no state file", want: nil},
		{name: "incidents stored", setup: storeJumps, want: jump},
		{name: "incidents stored, exclude.incidents off", detect: ", exclude: {incidents: false}", setup: storeJumps, want: nil},
		{name: "daemon running, snapshot", setup: func(t *testing.T, path string) {
			storeJumps(t, path)
			s := holdStateAt(t, path)
			if _, err := s.CopyTo(state.SnapshotPath(path)); err != nil {
				t.Fatal(err)
			}
		}, want: jump, note: "from the daemon's snapshot"},
		{name: "daemon running, no snapshot", setup: func(t *testing.T, path string) {
			storeJumps(t, path)
			holdStateAt(t, path)
		}, want: nil, note: "the replay keeps past incidents in the baselines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, path := writeBaselineConfig(t, tt.detect)
			if tt.setup != nil {
				tt.setup(t, path)
			}
			var before [32]byte
			if tt.setup != nil {
				before = fileSum(t, path)
			}
			out, errOut, code := backtestNoHang(t, dir, "--config", "vigil.yaml", "--from", "2024-03-05", "--to", "2024-03-06")
			if code != exitOK {
				t.Fatalf("exit %d, want 0; stderr %q", code, errOut)
			}
			if got := alertTimes(out, "signups"); !slices.Equal(got, tt.want) {
				t.Errorf("alerts at %q, want %q\n%s", got, tt.want, out)
			}
			if !strings.Contains(errOut, tt.note) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.note)
			}
			if tt.setup == nil {
				if _, err := os.Stat(path); !os.IsNotExist(err) {
					t.Errorf("the backtest created the state file: %v", err)
				}
			} else if fileSum(t, path) != before {
				t.Errorf("the backtest changed the state file")
			}
		})
	}
}

// holdStateAt opens the state file at path for writing, as a running
// daemon does, until the test ends.
func holdStateAt(t *testing.T, path string) *state.Store {
	t.Helper()
	s, err := state.Open(path, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
