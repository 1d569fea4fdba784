package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"vigil/internal/ruletest"
)

var testCommand = command{
	name:    "test",
	summary: "run rule unit tests (*_test.yaml) against fixed series",
	help:    testHelp,
	run:     runTest,
}

const testHelp = `Usage: vigil test [--junit FILE] FILE|FOLDER...

Run rule unit tests: YAML files named *_test.yaml beside the rules (the
config loader skips them). Each test feeds some metrics fixed series in
place of their source and says which alerts each evaluation must raise.
The rules are built and evaluated exactly as the daemon does (same config,
method, guards and settled-bucket logic); nothing is queried or sent.
A folder is searched recursively for *_test.yaml and *_test.yml.

A test file:

  config: ../vigil.yaml        # default: vigil.yaml here or in a folder above
  tests:
    - name: a clear drop fires
      start: 2024-01-01T00:00:00Z   # time of each series' first value
      granularity: 1h               # default: each rule's own
      series:
        orders: {values: "100x1343 40"}
      evals:
        - at: 2024-02-26T01:05:00Z  # wall-clock time of the evaluation
          alerts:
            - {metric: orders, direction: down, expected: [90, 110]}
        - at: 2024-02-25T23:05:00Z  # no alerts listed: none may fire

Series: values in compact notation ("100+10x5 200 _ 150": 100 then 5 more
each 10 higher, 200, a missing bucket, 150; "axn" and "a+bxn" give n+1
values and "_xn" n missing ones, as in promtool), or points: [{time, value}]
or csv: FILE (timestamp,value). weights: gives a ratio's denominator per
bucket in the same notation (default 1); values are then the ratio.

Segments: a series may instead be given per segment of the dimensions the
rule lists; the metric is their sum (a ratio: each segment's values are
its rate and weights its denominator), and an alert is explained by the
daemon's own drill-down over them:

      series:
        orders:
          segments:
            - {country: BR, platform: android, values: "50x200 5"}
            - {country: BR, platform: ios, values: "30x200 29"}
            - {country: US, platform: android, values: "80x200 79"}

Every segment names the same dimensions and has as many values (_ where
it has no rows); the metric is broken down only by the dimensions given.

Alerts: the fields metric, direction (up or down), bucket, expected: [low,
high] and value: [low, high] are checked when given, and so are
contributor: {country: BR, platform: android}, which the first of the
alert's top contributors must be exactly, and share: [low, high], its
share of the change as a fraction (0.8 is 80%). Each evaluation's alert is
explained, as when an incident opens. An evaluation whose rule fails
counts as an unexpected alert.

Output: one line per test, "PASS file: name (3 evals)", or "FAIL file:
name" and, per evaluation that differs, "- want" for an expected alert that
did not fire and "+ got" for one that fired unexpectedly, followed by its
top three contributors and their shares when the series has segments.

Flags:
  --junit FILE         also write the results as JUnit XML to FILE
  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)

Examples:
  vigil test rules/
  vigil test --junit vigil-tests.xml rules/orders_test.yaml

Exit codes:
  0  every test passed
  1  a test failed or could not run, a file is missing, or a flag is wrong
`

func runTest(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil test", stderr, g)
	junit := fs.String("junit", "", "write JUnit XML to this file")
	if code, ok := parse(fs, args, stdout, helpOf(testHelp)); !ok {
		return code
	}
	if _, err := g.logger(stderr); err != nil {
		fmt.Fprintln(stderr, "vigil test:", err)
		return exitConfig
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "vigil test: name test files or folders, e.g. vigil test rules/")
		return exitConfig
	}
	files, err := ruletest.Find(fs.Args())
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no *_test.yaml files under %v", fs.Args())
	}
	if err != nil {
		fmt.Fprintln(stderr, "vigil test:", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var results []ruletest.Result
	for _, f := range files {
		results = append(results, ruletest.RunFile(ctx, f)...)
	}
	if err := ruletest.WriteText(stdout, results); err != nil {
		fmt.Fprintln(stderr, "vigil test:", err)
		return exitConfig
	}
	if *junit != "" {
		if err := writeJUnitFile(*junit, results); err != nil {
			fmt.Fprintln(stderr, "vigil test: --junit:", err)
			return exitConfig
		}
	}
	for _, r := range results {
		if !r.Passed() {
			return exitConfig
		}
	}
	return exitOK
}

func writeJUnitFile(path string, results []ruletest.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := ruletest.WriteJUnit(f, results); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
