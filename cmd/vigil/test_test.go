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
  - name: orders
    table: orders
    timestamp: created_at
    value: count()
    dimensions: [country, platform, channel]
    detect: {method: change, offset: 1, max: 0.2, relative: true}
`

// ruleTests has passing tests and failing ones whose diffs show every
// kind of line: an alert that did not fire, one that fired unexpectedly,
// and an alert whose top contributor is not the one expected.
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
  - name: BR android drives the drop
    start: 2024-03-01T00:00:00Z
    series:
      orders:
        segments:   # 170 an hour, then 125 at 01:00 when BR android falls
          - {country: BR, platform: android, values: "50 5"}
          - {country: BR, platform: ios, values: "30x1"}
          - {country: US, platform: android, values: "70x1"}
          - {country: US, platform: ios, values: "20x1"}
    evals:
      - at: 2024-03-01T03:05:00Z   # judges 01:00 against 00:00
        alerts:
          - {metric: orders, direction: down, value: [125, 125], contributor: {country: BR, platform: android}, share: [0.9, 1.1]}
  - name: wrong expectations
    start: 2024-03-01T00:00:00Z
    series:
      latency: {values: "100x4 200 100"}
    evals:
      - at: 2024-03-01T06:05:00Z   # judges 04:00, 100: nothing fires
        alerts: [{metric: latency, direction: up}]
      - at: 2024-03-01T07:05:00Z   # judges 05:00, 200, not expected
      - at: 2024-03-01T09:05:00Z   # judges 07:00, after the series: missing, so quiet
  - name: wrong contributor
    start: 2024-03-01T00:00:00Z
    series:
      orders:
        segments:
          - {country: BR, platform: android, values: "50 5"}
          - {country: BR, platform: ios, values: "30x1"}
          - {country: US, platform: android, values: "70 60"}
          - {country: US, platform: ios, values: "20x1"}
    evals:
      - at: 2024-03-01T03:05:00Z
        alerts: [{metric: orders, direction: down, contributor: {country: US, platform: android}}]
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
	if rep.Tests != 5 || rep.Failures != 2 || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 5 {
		t.Fatalf("JUnit report: %d tests, %d failures, suites %+v; want 5, 2, one suite", rep.Tests, rep.Failures, rep.Suites)
	}
	for i, want := range map[int]string{3: "+ got  latency, up", 4: "top contributors (explained): country=BR, platform=android"} {
		c := rep.Suites[0].Cases[i]
		if c.Failure == nil || !strings.Contains(*c.Failure, want) {
			t.Errorf("JUnit case %+v; want a failure with its diff, holding %q", c, want)
		}
	}
}

func TestRuleTestPass(t *testing.T) {
	passing := ruleTests[:strings.Index(ruleTests, "  - name: wrong expectations")]
	dir := writeRuleTests(t, passing)
	out, errOut, code := vigil(t, dir, "test", "rules/app_test.yaml")
	want := "PASS rules/app_test.yaml: slow hour fires (3 evals)\n" +
		"PASS rules/app_test.yaml: signups drop (1 eval)\n" +
		"PASS rules/app_test.yaml: BR android drives the drop (1 eval)\n" +
		"3 passed, 0 failed\n"
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("vigil test = %d, stdout %q, stderr %q; want 0 and\n%s", code, out, errOut, want)
	}
	// The rules folder still loads: the test file is not read as rules.
	if out, _, code := vigil(t, dir, "check"); code != exitOK || out != "1 source, 3 rules, 1 notifier\n" {
		t.Errorf("vigil check = %d, %q; want 0 and 3 rules", code, out)
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
	// A plain and a ratio metric each show a test of the top contributor.
	for file, name := range map[string]string{"orders_test.yaml": "BR android explains the drop",
		"conversion_test.yaml": "the drop is BR android's rate"} {
		data, err := os.ReadFile(filepath.Join(dir, "rules", file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "PASS rules/"+file+": "+name) || !strings.Contains(string(data), "contributor: {") {
			t.Errorf("the examples lack a passing test %q with a contributor in %s:\n%s", name, file, out)
		}
	}
}

func TestRuleTestHelp(t *testing.T) {
	out, _, code := vigil(t, t.TempDir(), "test", "--help")
	for _, want := range []string{"Usage: vigil test", "segments:", "contributor: {country: BR", "share: [low, high]", "Exit codes:"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("vigil test --help = %d, lacks %q:\n%s", code, want, out)
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
