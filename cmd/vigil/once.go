package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"vigil/config"
	"vigil/internal/engine"
)

var onceCommand = command{
	name:    "once",
	summary: "evaluate every rule now, or as of a given time, and print the verdicts",
	help:    onceHelp,
	run:     runOnce,
}

var onceHelp = `Usage: vigil once [--config FILE] [--rule NAME]... [--at TIME] [--shard I/N]

Load the config, evaluate every rule (or only those named with --rule) on
its latest settled bucket as of now (or as of --at), send an alert for each
anomaly to the rule's notifiers, and print one line per rule: the bucket
judged in the rule's timezone, the actual and expected values, the normal
band, the change against expected, the score (0 to 1) and the verdict:
OK, ANOMALY, ERROR (the rule failed; the reason follows) or NO DATA (the
bucket is missing or the history too short to judge it).

Flags:
  --config FILE        the config file (default vigil.yaml)
  --rule NAME          evaluate only this rule; repeat for several
  --at TIME            evaluate as of TIME instead of now: RFC 3339
                       (2024-03-05T14:00:00+01:00), "2006-01-02 15:04" or
                       2006-01-02T15:04; UTC unless it carries an offset
` + shardHelp(23) + `  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)

Examples:
  vigil once --config vigil.yaml
  vigil once --config vigil.yaml --rule orders --rule signups
  vigil once --config vigil.yaml --at "2024-03-05 14:00"

Exit codes:
  0  every rule was evaluated, anomalous or not
  1  the config does not load or build, a --rule is unknown, or a flag is wrong
  2  some rule could not be evaluated or its alert not delivered
`

func runOnce(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil once", stderr, g)
	path := fs.String("config", "vigil.yaml", "the config file")
	var only names
	fs.Var(&only, "rule", "evaluate only this rule; repeat for several")
	atText := fs.String("at", "", "evaluate as of this time instead of now")
	shardSpec := shardFlag(fs)
	if code, ok := parse(fs, args, stdout, helpOf(onceHelp)); !ok {
		return code
	}
	if extra(fs, stderr) {
		return exitConfig
	}
	log, err := g.logger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "vigil once:", err)
		return exitConfig
	}
	clock := time.Now
	if *atText != "" {
		at, err := parseTime(*atText)
		if err != nil {
			fmt.Fprintln(stderr, "vigil once: --at:", err)
			return exitConfig
		}
		clock = func() time.Time { return at }
	}
	cfg, err := config.Load(*path)
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	if err := checkRules(cfg, only); err != nil {
		fmt.Fprintln(stderr, "vigil once:", err)
		return exitConfig
	}
	if _, err := applyShard(cfg, *shardSpec); err != nil {
		fmt.Fprintln(stderr, "vigil once:", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e, err := engine.Build(ctx, cfg, engine.Options{Logger: log, Stdout: stdout, Now: clock})
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	defer e.Close()
	now := clock()
	log.Info("evaluating", "rules", len(selected(e.Rules(), only)), "at", now.UTC().Format(time.RFC3339))
	results := e.Once(ctx, now, only)
	if err := writeTable(stdout, results); err != nil {
		fmt.Fprintln(stderr, "vigil once:", err)
		return exitFailed
	}
	return onceExit(results)
}

// onceExit is 2 when some rule failed, else 0.
func onceExit(results []engine.Result) int {
	for _, r := range results {
		if r.Failed() {
			return exitFailed
		}
	}
	return exitOK
}

// checkRules reports names that match no metric of cfg.
func checkRules(cfg *config.Config, only []string) error {
	var have []string
	for _, m := range cfg.Metrics {
		have = append(have, m.Name)
	}
	for _, n := range only {
		if !slices.Contains(have, n) {
			return fmt.Errorf("--rule %q: no such rule; the rules are: %s", n, strings.Join(have, ", "))
		}
	}
	return nil
}

// timeLayouts are the forms --at accepts, tried in order.
var timeLayouts = []string{time.RFC3339, "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// parseTime reads a time in one of timeLayouts, in UTC unless it carries
// an offset.
func parseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2024-03-05T14:00:00Z), \"2024-03-05 14:00\" or 2024-03-05T14:00", s)
}
