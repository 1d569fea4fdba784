package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMain runs the test binary as vigil itself when VIGIL_TEST_MAIN is
// set, so that tests check real exit codes and output.
func TestMain(m *testing.M) {
	if os.Getenv("VIGIL_TEST_MAIN") == "1" {
		os.Exit(run())
	}
	os.Exit(m.Run())
}

// vigil runs the CLI in a child process with args, in dir.
func vigil(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "VIGIL_TEST_MAIN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run vigil %v: %v", args, err)
	}
	return out.String(), errb.String(), 0
}

// writeConfig writes a config file and rules/orders.yaml into a new
// folder and returns the folder.
func writeConfig(t *testing.T, rules string) string {
	t.Helper()
	dir := t.TempDir()
	const cfg = `sources:
  local: {type: duckdb, demo: true}
notifiers:
  stdout: {type: console}
rules: rules/
defaults: {schedule: "@hourly", timezone: UTC, source: local, notify: [stdout]}
`
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules", "orders.yaml"), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const goodRules = `metrics:
  - name: orders
    table: orders
    timestamp: created_at
    value: count()
    granularity: 1h
    detect: {method: seasonal, seasonality: weekly, history: 8w}
  - name: revenue
    table: orders
    timestamp: created_at
    value: sum(amount)
    granularity: 1h
    detect: {method: seasonal, seasonality: weekly, history: 8w}
`

// badRules has an unknown key in each of two metrics, at lines 4 and 10.
const badRules = `metrics:
  - name: orders
    table: orders
    colour: blue
    timestamp: created_at
    value: count()
  - name: revenue
    table: orders
    timestamp: created_at
    flavour: sweet
    value: sum(amount)
`

func TestCheck(t *testing.T) {
	good := writeConfig(t, goodRules)
	out, errOut, code := vigil(t, good, "check", "--config", "vigil.yaml")
	if code != exitOK || out != "1 source, 2 rules, 1 notifier\n" || errOut != "" {
		t.Errorf("check good config = %d, stdout %q, stderr %q; want 0 and the summary", code, out, errOut)
	}

	bad := writeConfig(t, badRules)
	out, errOut, code = vigil(t, bad, "check", "--config", "vigil.yaml")
	if code != exitConfig || out != "" {
		t.Errorf("check bad config = %d, stdout %q; want 1 and nothing on stdout", code, out)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	located := regexp.MustCompile(`^\S*orders\.yaml:(\d+):(\d+): `)
	var at []string
	for _, l := range lines {
		m := located.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("check error line %q is not file:line:col: message", l)
			continue
		}
		at = append(at, m[1]+":"+m[2])
	}
	if want := []string{"4:5", "10:5"}; strings.Join(at, " ") != strings.Join(want, " ") {
		t.Errorf("check errors at %v, want %v:\n%s", at, want, errOut)
	}

	_, errOut, code = vigil(t, good, "check", "--config", "missing.yaml")
	if code != exitConfig || !strings.Contains(errOut, "missing.yaml") {
		t.Errorf("check missing file = %d, stderr %q; want 1 naming the file", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := writeConfig(t, goodRules)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"check", "--nope"}, "-nope"},
		{"stray argument", []string{"check", "vigil.yaml"}, `unexpected argument "vigil.yaml"`},
		{"bad log level", []string{"--log-level", "loud", "check"}, `--log-level "loud"`},
		{"bad log format", []string{"check", "--log-format", "xml"}, `--log-format "xml"`},
		{"unknown rule", []string{"once", "--rule", "nope"}, `--rule "nope": no such rule; the rules are: orders, revenue`},
		{"bad time", []string{"once", "--at", "yesterday"}, `--at: "yesterday"`},
		{"help for nothing", []string{"help", "frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := vigil(t, dir, tt.args...)
			if code != exitConfig || !strings.Contains(errOut, tt.wantErr) || out != "" {
				t.Errorf("vigil %v = %d, stdout %q, stderr %q; want 1 and %q", tt.args, code, out, errOut, tt.wantErr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Commands:", "check", "once", "explain", "run", "version", "Exit codes:"}},
		{[]string{"help", "explain"}, []string{"Usage: vigil explain", "--metric NAME"}},
		{[]string{"help"}, []string{"Commands:"}},
		{[]string{"help", "once"}, []string{"Usage: vigil once", "--at TIME"}},
		{[]string{"check", "--help"}, []string{"Usage: vigil check", "--config FILE", "Examples:", "Exit codes:"}},
		{[]string{"once", "-h"}, []string{"Usage: vigil once", "--rule NAME", "Examples:", "Exit codes:", "NO DATA"}},
		{[]string{"run", "--help"}, []string{"Usage: vigil run", "SIGTERM", "Examples:", "Exit codes:"}},
		{[]string{"version", "--help"}, []string{"Usage: vigil version"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := vigil(t, t.TempDir(), tt.args...)
			if code != exitOK || errOut != "" {
				t.Errorf("vigil %v = %d, stderr %q; want 0 and nothing on stderr", tt.args, code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("vigil %v help lacks %q:\n%s", tt.args, w, out)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	out, _, code := vigil(t, t.TempDir(), "version")
	if code != exitOK || !regexp.MustCompile(`^vigil \S+ \(go[0-9.]+\)`).MatchString(out) {
		t.Errorf("vigil version = %d, %q; want 0 and vigil <version> (go<version>)", code, out)
	}
}
