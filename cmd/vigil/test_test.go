package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ruleTestConfig is a config with one threshold rule and one seasonal rule,
// for rule tests.
const ruleTestConfig = `sources:
  db: {type: duckdb}
notifiers:
  out: {type: console}
rules: rules/
defaults: {schedule: "@hourly", delay: 1h, granularity: 1h}
`

const ruleTestRules = `metrics:
  - name: latency
    table: requests
    timestamp: at
    value: avg(ms)
    detect: {method: threshold, upper: 150}
  - name: signups
    table: users
    timestamp: created_at
    value: count()
    detect: {method: seasonal, seasonality: daily, history: 3d}
`

// ruleTests has passing tests and a failing one whose diff shows every
// kind of line: an alert that did not fire, one that fired unexpectedly,
// and a rule that failed.
const ruleTests = `tests:
  - name: slow hour fires
    start: 2024-03-01T00:00:00Z
    series:
      latency: {values: "100+1x4 200 _ 120"}
    evals:
      - at: 2024-03-01T06:05:00Z   # judges 04:00, 104
      - at: 2024-03-01T07:05:00Z   # judges 05:00, the 200
        alerts: [{metric: latency, direction: up, value: [200, 200]}]
      - at: 2024-03-01T08:05:00Z   # judges 06:00, missing: nothing to judge
  - name: signups drop
    start: 2024-03-01T00:00:00Z
    series:
      signups: {values: "10x119 1"}   # five quiet days, then 1 at 03-06 00:00
    evals:
      - at: 2024-03-06T02:05:00Z
        alerts: [{metric: signups, direction: down}]
  - name: wrong expectations
    start: 2024-03-01T00:00:00Z
    series:
      latency: {values: "100x4 200 100"}
    evals:
      - at: 2024-03-01T06:05:00Z   # judges 04:00, 100: nothing fires
        alerts: [{metric: latency, direction: up}]
      - at: 2024-03-01T07:05:00Z   # judges 05:00, 200, not expected
      - at: 2024-03-01T09:05:00Z   # judges 07:00, after the series: missing, so quiet
`

func writeRuleTests(t *testing.T, tests string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"vigil.yaml":             ruleTestConfig,
		"rules/app.yaml":         ruleTestRules,
		"rules/app_test.yaml":    tests,
		"rules/ignored.yaml.txt": "not a test",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRuleTestReport(t *testing.T) {
	dir := writeRuleTests(t, ruleTests)
	out, errOut, code := vigil(t, dir, "test", "--junit", "report.xml", "rules/")
	if code != exitConfig || errOut != "" {
		t.Errorf("vigil test = %d, stderr %q; want 1 and nothing on stderr", code, errOut)
	}
	goldenFile(t, "testdata/ruletest_fail.golden", out)

	data, err := os.ReadFile(filepath.Join(dir, "report.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string  `xml:"name,attr"`
				Failure *string `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &rep); err != nil {
		t.Fatalf("JUnit report: %v\n%s", err, data)
	}
	if rep.Tests != 3 || rep.Failures != 1 || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 3 {
		t.Fatalf("JUnit report: %d tests, %d failures, suites %+v; want 3, 1, one suite", rep.Tests, rep.Failures, rep.Suites)
	}
	c := rep.Suites[0].Cases[2]
	if c.Name != "wrong expectations" || c.Failure == nil || !strings.Contains(*c.Failure, "+ got  latency, up") {
		t.Errorf("JUnit case %+v; want the failing case with its diff", c)
	}
}

func TestRuleTestPass(t *testing.T) {
	passing := ruleTests[:strings.Index(ruleTests, "  - name: wrong expectations")]
	dir := writeRuleTests(t, passing)
	out, errOut, code := vigil(t, dir, "test", "rules/app_test.yaml")
	want := "PASS rules/app_test.yaml: slow hour fires (3 evals)\n" +
		"PASS rules/app_test.yaml: signups drop (1 eval)\n" +
		"2 passed, 0 failed\n"
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("vigil test = %d, stdout %q, stderr %q; want 0 and\n%s", code, out, errOut, want)
	}
	// The rules folder still loads: the test file is not read as rules.
	if out, _, code := vigil(t, dir, "check"); code != exitOK || out != "1 source, 2 rules, 1 notifier\n" {
		t.Errorf("vigil check = %d, %q; want 0 and 2 rules", code, out)
	}
}

func TestRuleTestExamples(t *testing.T) {
	dir, err := filepath.Abs("../../deploy/examples")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := vigil(t, dir, "test", "rules/")
	if code != exitOK || strings.Contains(out, "FAIL") || !strings.HasSuffix(out, " passed, 0 failed\n") {
		t.Errorf("vigil test on the examples = %d:\n%s%s", code, out, errOut)
	}
	for _, rule := range []string{"orders", "revenue", "conversion"} {
		if !strings.Contains(out, "PASS rules/"+rule+"_test.yaml: a clear drop fires") ||
			!strings.Contains(out, "PASS rules/"+rule+"_test.yaml: a normal week stays quiet") {
			t.Errorf("the examples lack a passing drop and normal-week test for %s:\n%s", rule, out)
		}
	}
}

func TestRuleTestUsage(t *testing.T) {
	dir := writeRuleTests(t, ruleTests)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no arguments", []string{"test"}, "name test files or folders"},
		{"missing file", []string{"test", "nope_test.yaml"}, "nope_test.yaml"},
		{"no tests found", []string{"test", "."}, "no *_test.yaml files"},
	}
	os.Remove(filepath.Join(dir, "rules", "app_test.yaml"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := vigil(t, dir, tt.args...)
			if code != exitConfig || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("vigil %v = %d, stderr %q; want 1 and %q", tt.args, code, errOut, tt.wantErr)
			}
		})
	}
}
