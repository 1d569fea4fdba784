package deploy_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/sources"
	"vigil/sources/clickhouse"
	"vigil/sources/sourcestest"
)

// The compose setup's example data, loaded into a current ClickHouse: chDB
// (ClickHouse as a library, run from Node.js as the sources/clickhouse
// tests do). scripts/test.sh installs it and sets VIGIL_CHDB_DIR.

type (
	chStep   = sourcestest.ChDBStep
	chResult = sourcestest.ChDBResult
)

// runChDB runs steps in the chDB database kept in db.
func runChDB(t *testing.T, chdb, db string, steps []chStep) map[string]chResult {
	t.Helper()
	_, res := sourcestest.RunChDB(t, chdb, db, steps)
	return res
}

// initStatements returns the statements of the compose ClickHouse init
// scripts, in the order the image runs them.
func initStatements(t *testing.T) []chStep {
	t.Helper()
	files, err := filepath.Glob("compose/clickhouse-init/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no compose/clickhouse-init/*.sql: %v", err)
	}
	var steps []chStep
	for _, f := range files { // Glob sorts, as the image's entrypoint does
		var b strings.Builder
		for line := range strings.Lines(string(readFile(t, f))) {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				b.WriteString(line)
			}
		}
		for st := range strings.SplitSeq(b.String(), ";") {
			if st = strings.TrimSpace(st); st != "" {
				steps = append(steps, chStep{SQL: st})
			}
		}
	}
	return steps
}

// cellValue reads a JSONCompact cell as a number (ClickHouse quotes 64-bit
// ones); NaN with an error when the step failed or has no such cell.
func cellValue(res map[string]chResult, name string, row, col int) (float64, error) {
	r := res[name]
	if r.Error != "" {
		return math.NaN(), fmt.Errorf("%s: %s", name, r.Error)
	}
	if row >= len(r.Data) || col >= len(r.Data[row]) {
		return math.NaN(), fmt.Errorf("%s: no cell %d,%d in %v", name, row, col, r.Data)
	}
	var f float64
	if _, err := fmt.Sscan(fmt.Sprint(r.Data[row][col]), &f); err != nil {
		return math.NaN(), fmt.Errorf("%s: cell %d,%d = %v: %v", name, row, col, r.Data[row][col], err)
	}
	return f, nil
}

// num is cellValue for values the test cannot go on without.
func num(t *testing.T, res map[string]chResult, name string, row, col int) float64 {
	t.Helper()
	f, err := cellValue(res, name, row, col)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// hourIndex is, for each order, how many hours before the newest stored
// hour it was placed: 0 for the newest.
const hourIndex = `dateDiff('hour', toStartOfHour(created_at), (SELECT max(toStartOfHour(created_at)) FROM orders))`

// exampleDataSteps loads the init scripts' statements into a fresh chDB
// database and queries what checkExampleData judges.
func exampleDataSteps(t *testing.T, init []chStep) []chStep {
	health := composeHealthQuery(t)
	steps := append([]chStep{{Name: "healthcheck.before", SQL: health}}, init...)
	return append(steps,
		chStep{Name: "version", SQL: "SELECT version()"},
		chStep{Name: "anchor", SQL: "SELECT toUInt32(max(toStartOfHour(created_at))) + 3600, toUInt32(toStartOfHour(now())), count() FROM orders"},
		chStep{Name: "orders.columns", SQL: "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'orders' ORDER BY position"},
		chStep{Name: "sessions.columns", SQL: "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'sessions' ORDER BY position"},
		chStep{Name: "orders.hours", SQL: "SELECT uniqExact(toStartOfHour(created_at)), toUInt32(min(toStartOfHour(created_at))), toUInt32(max(toStartOfHour(created_at))) FROM orders"},
		chStep{Name: "sessions.hours", SQL: "SELECT uniqExact(hour), toUInt32(min(hour)), toUInt32(max(hour)), sum(checkouts) / sum(sessions) FROM sessions"},
		// Hour-of-week profiles of weeks 1-4 and 5-8 back (week 0 holds the
		// incident): alike, and far from flat.
		chStep{Name: "weekly", SQL: "SELECT corr(a, b), max(a) / min(a) FROM (SELECT k % 168 AS slot, countIf(intDiv(k, 168) BETWEEN 1 AND 4) AS a, countIf(intDiv(k, 168) BETWEEN 5 AND 8) AS b FROM (SELECT " + hourIndex + " AS k FROM orders WHERE status = 'completed') GROUP BY slot)"},
		// The share of BR android orders cancelled: in the three hours before
		// the newest (the incident), in the newest, and in the week before.
		chStep{Name: "incident", SQL: "SELECT avgIf(c, k BETWEEN 1 AND 3), avgIf(c, k = 0), avgIf(c, k BETWEEN 4 AND 171) FROM (SELECT " + hourIndex + " AS k, status = 'cancelled' AS c FROM orders WHERE country = 'BR' AND platform = 'android')"},
		chStep{Name: "newest", SQL: "SELECT count(), round(sum(amount), 2) FROM orders WHERE toStartOfHour(created_at) = (SELECT max(toStartOfHour(created_at)) FROM orders)"},
		chStep{Name: "healthcheck", SQL: health},
	)
}

// checkExampleData judges the loaded example data: the demo's shape, nine
// weeks ending at the current hour, seasonality, the incident, and the
// compose health check.
func checkExampleData(res map[string]chResult) problems {
	var p problems
	cell := func(name string, row, col int) float64 {
		f, err := cellValue(res, name, row, col)
		if err != nil {
			p.add("%v", err)
		}
		return f
	}
	anchor := time.Unix(int64(cell("anchor", 0, 0)), 0).UTC()
	if now := time.Unix(int64(cell("anchor", 0, 1)), 0).UTC(); anchor.After(now) || now.Sub(anchor) > time.Hour {
		p.add("the data ends at %v, want the current hour %v", anchor, now)
	}
	checkColumns(&p, res["orders.columns"], []string{"created_at DateTime", "country String", "platform String", "channel String", "amount Float64", "status String"})
	checkColumns(&p, res["sessions.columns"], []string{"hour DateTime", "country String", "platform String", "channel String", "sessions UInt64", "checkouts UInt64"})
	for _, table := range []string{"orders", "sessions"} {
		hours := cell(table+".hours", 0, 0)
		first := time.Unix(int64(cell(table+".hours", 0, 1)), 0).UTC()
		last := time.Unix(int64(cell(table+".hours", 0, 2)), 0).UTC()
		if hours != 9*7*24 || !first.Equal(anchor.Add(-9*7*24*time.Hour)) || !last.Equal(anchor.Add(-time.Hour)) {
			p.add("%s: %v hours from %v to %v, want every hour of the 9 weeks before %v", table, hours, first, last, anchor)
		}
	}
	if c := cell("sessions.hours", 0, 3); !(c >= 0.02 && c <= 0.05) {
		p.add("sessions convert at %.4f, want a few percent", c)
	}
	if r, spread := cell("weekly", 0, 0), cell("weekly", 0, 1); !(r >= 0.95 && spread >= 2) {
		p.add("hour-of-week profiles correlate at %.3f with max/min %.1f, want a stable weekly pattern (r >= 0.95) with a daily cycle (max/min >= 2)", r, spread)
	}
	if during, newest, before := cell("incident", 0, 0), cell("incident", 0, 1), cell("incident", 0, 2); !(during >= 0.75 && newest <= 0.2 && before <= 0.2) {
		p.add("BR android orders cancelled: %.2f in the incident hours (want >= 0.75), %.2f in the newest hour and %.2f in the week before (want <= 0.2)", during, newest, before)
	}
	if r := res["healthcheck"]; r.Error != "" {
		p.add("the compose health check fails on loaded data: %s", r.Error)
	}
	if r := res["healthcheck.before"]; r.Error == "" {
		p.add("the compose health check passes before the data is loaded")
	}
	return p
}

func TestClickHouseExampleData(t *testing.T) {
	chdb := sourcestest.ChDBDir(t)
	db := filepath.Join(t.TempDir(), "chdb")
	res := runChDB(t, chdb, db, exampleDataSteps(t, initStatements(t)))
	t.Logf("ClickHouse %v; weekly %v; incident %v", res["version"].Data, res["weekly"].Data, res["incident"].Data)
	expectNone(t, "example data", checkExampleData(res))
	anchor := time.Unix(int64(num(t, res, "anchor", 0, 0)), 0).UTC()
	checkRulesAndFeed(t, chdb, db, anchor, res)
}

// TestClickHouseDataChecksCatch loads broken copies of the init script and
// expects the data checks to object.
func TestClickHouseDataChecksCatch(t *testing.T) {
	chdb := sourcestest.ChDBDir(t)
	tests := []struct{ name, old, new, want string }{
		{"eight weeks", "FROM numbers(9 * 7 * 24)", "FROM numbers(8 * 7 * 24)", "want every hour of the 9 weeks"},
		{"no incident", "AND draw < 0.85", "AND draw < 0", "BR android orders cancelled"},
		{"no daily cycle", "day_curve[toHour(local_mid) + 1]", "1", "want a stable weekly pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := initStatements(t)
			found := false
			for i, st := range steps {
				if strings.Contains(st.SQL, tt.old) {
					steps[i].SQL, found = strings.Replace(st.SQL, tt.old, tt.new, 1), true
				}
			}
			if !found {
				t.Fatalf("the init script no longer contains %q; update this case", tt.old)
			}
			res := runChDB(t, chdb, filepath.Join(t.TempDir(), "chdb"), exampleDataSteps(t, steps))
			expectProblem(t, checkExampleData(res), tt.want)
		})
	}
}

// checkRulesAndFeed runs the compose rules' queries, as vigil renders them,
// on the loaded data; then deletes the newest hour and has the refreshable
// views catch up, which must bring back the same rows and nothing more.
func checkRulesAndFeed(t *testing.T, chdb, db string, anchor time.Time, before map[string]chResult) {
	t.Helper()
	t.Setenv("CLICKHOUSE_DSN", "clickhouse://default:@clickhouse:9000/default")
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-test")
	cfg, err := config.Load("compose/vigil/vigil.yaml")
	if err != nil {
		t.Fatal(err)
	}
	newest := anchor.Add(-time.Hour).Format("2006-01-02 15:04:05")
	var steps []chStep
	for _, m := range cfg.Metrics {
		q := sources.Query{
			Rule: m.Name, Table: m.Table, Timestamp: m.Timestamp, Value: m.Value,
			Numerator: m.Numerator, Denominator: m.Denominator, Filter: m.Filter,
			Granularity: m.Granularity, Location: m.Location, FillZero: m.FillZero,
			From: anchor.Add(-m.Detect.History), To: anchor,
		}
		text, err := (&clickhouse.Source{}).Render(q)
		if err != nil {
			t.Fatalf("render %s: %v", m.Name, err)
		}
		steps = append(steps, chStep{Name: "rule " + m.Name, SQL: text})
	}
	steps = append(steps,
		chStep{SQL: "DELETE FROM orders WHERE toStartOfHour(created_at) = toDateTime('" + newest + "', 'UTC')"},
		chStep{SQL: "DELETE FROM sessions WHERE hour = toDateTime('" + newest + "', 'UTC')"},
		chStep{Name: "deleted", SQL: "SELECT count() FROM orders WHERE toStartOfHour(created_at) = toDateTime('" + newest + "', 'UTC')"},
		chStep{SQL: "SYSTEM REFRESH VIEW orders_feed"},
		chStep{SQL: "SYSTEM WAIT VIEW orders_feed"},
		chStep{SQL: "SYSTEM REFRESH VIEW sessions_feed"},
		chStep{SQL: "SYSTEM WAIT VIEW sessions_feed"},
		chStep{Name: "newest", SQL: "SELECT count(), round(sum(amount), 2) FROM orders WHERE toStartOfHour(created_at) = toDateTime('" + newest + "', 'UTC')"},
		chStep{Name: "older", SQL: "SELECT count() FROM orders WHERE created_at < toDateTime('" + newest + "', 'UTC') + INTERVAL 1 HOUR"},
		chStep{Name: "sessions", SQL: "SELECT count() FROM sessions WHERE hour = toDateTime('" + newest + "', 'UTC')"},
	)
	res := runChDB(t, chdb, db, steps)
	for _, m := range cfg.Metrics {
		checkRuleRows(t, m, res["rule "+m.Name])
	}
	if n := num(t, res, "deleted", 0, 0); n != 0 {
		t.Fatalf("%v orders of the newest hour left after deleting them", n)
	}
	for col := range 2 {
		if got, want := num(t, res, "newest", 0, col), num(t, before, "newest", 0, col); got != want {
			t.Errorf("the feed rebuilt the newest hour with %v in column %d, want the %v first loaded", got, col, want)
		}
	}
	if got, want := num(t, res, "older", 0, 0), num(t, before, "anchor", 0, 2); got != want {
		t.Errorf("after the feed caught up, %v orders up to the newest hour, want the %v first loaded (no duplicates)", got, want)
	}
	if n := num(t, res, "sessions", 0, 0); n != 8*3*4 {
		t.Errorf("the feed rebuilt %v sessions rows of the newest hour, want one per market, platform and channel (96)", n)
	}
}

// checkRuleRows checks a rule's query returned a finite value for every
// bucket of its history.
func checkRuleRows(t *testing.T, m config.Metric, r chResult) {
	t.Helper()
	if r.Error != "" {
		t.Errorf("rule %s: %s", m.Name, r.Error)
		return
	}
	if want := int(m.Detect.History / m.Granularity); len(r.Data) != want {
		t.Errorf("rule %s: %d buckets, want %d", m.Name, len(r.Data), want)
	}
	for _, row := range r.Data {
		for _, cell := range row[1:] {
			var f float64
			if _, err := fmt.Sscan(fmt.Sprint(cell), &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				t.Errorf("rule %s: bucket %v has value %v", m.Name, row[0], cell)
				return
			}
		}
	}
}

// checkColumns compares a table's columns with want ("name Type"), where
// LowCardinality(String) counts as String and DateTime('UTC') as DateTime.
func checkColumns(p *problems, r chResult, want []string) {
	var got []string
	for _, row := range r.Data {
		typ := fmt.Sprint(row[1])
		typ = strings.TrimSuffix(strings.TrimPrefix(typ, "LowCardinality("), ")")
		typ, _, _ = strings.Cut(typ, "(")
		got = append(got, fmt.Sprint(row[0])+" "+typ)
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") || r.Error != "" {
		p.add("columns = %q (%s), want %q", got, r.Error, want)
	}
}

// composeHealthQuery returns the query of the ClickHouse health check in
// compose.yaml.
func composeHealthQuery(t *testing.T) string {
	t.Helper()
	test := strs(yamlFile(t, composeFile)[0], "services", "clickhouse", "healthcheck", "test")
	q, ok := flagValue(test, "query")
	if !ok || q == "" {
		t.Fatalf("the ClickHouse health check %q runs no --query", test)
	}
	return q
}
