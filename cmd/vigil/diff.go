package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"vigil/config"
	"vigil/internal/engine"
)

var diffCommand = command{
	name:    "diff",
	summary: "replay old and new rules over past data and compare their alerts",
	help:    diffHelp,
	run:     runDiff,
}

const diffHelp = `Usage: vigil diff --config NEW --against OLD [--from TIME] [--to TIME]

Show what a change to the config or the rules does before it is merged:
both rule sets are replayed over the same past data, as "vigil backtest"
replays them (each rule's own source, method, guards and schedule), and
the alerts compared bucket by bucket. The report is Markdown, ready for a
pull request comment: a table of the rules added, removed or changed (with
the keys that changed) and of their alerts before and after, then per rule
the alerts the change adds and those it removes.

OLD is a config file, or git:REV for the config at the same path in git
revision REV (git:main, git:HEAD~1): the revision is extracted with git
archive into a temporary folder, rules and all. Both configs' sources are
opened; nothing is sent to notifiers.

Flags:
  --config FILE        the new config file (default vigil.yaml)
  --against OLD        the old config: a file or git:REV (--base is the same)
  --from TIME          the first bucket, as for backtest: RFC 3339, a date, or a
                       duration before --to (default 4w)
  --to TIME            when the replay ends (default and at most now)
  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)

Examples:
  vigil diff --config vigil.yaml --against git:main
  vigil diff --base .vigil-base/vigil.yaml --config vigil.yaml --from 8w

Exit codes:
  0  the comparison was printed (whatever it shows)
  1  a flag is wrong, or a config does not load or build
`

func runDiff(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil diff", stderr, g)
	newPath := fs.String("config", "vigil.yaml", "the new config file")
	var against string
	fs.StringVar(&against, "against", "", "the old config: a file or git:REV")
	fs.StringVar(&against, "base", "", "the same as --against")
	fromText := fs.String("from", "4w", "the first bucket")
	toText := fs.String("to", "", "when the replay ends")
	if code, ok := parse(fs, args, stdout, helpOf(diffHelp)); !ok {
		return code
	}
	if extra(fs, stderr) {
		return exitConfig
	}
	log, err := g.logger(stderr)
	if err == nil && against == "" {
		err = fmt.Errorf("--against is required: the old config file, or git:REV")
	}
	now := time.Now()
	var from, to time.Time
	if err == nil {
		from, to, err = diffRange(*fromText, *toText, now)
	}
	if err != nil {
		fmt.Fprintln(stderr, "vigil diff:", err)
		return exitConfig
	}
	oldPath, cleanup, err := materialize(against, *newPath)
	if err != nil {
		fmt.Fprintln(stderr, "vigil diff: --against:", err)
		return exitConfig
	}
	defer cleanup()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	oldCfg, oldRes, err := replayConfig(ctx, oldPath, from, to, now, log)
	if err != nil {
		fmt.Fprintf(stderr, "vigil diff: the old config (%s):\n", against)
		printErrors(stderr, err)
		return exitConfig
	}
	newCfg, newRes, err := replayConfig(ctx, *newPath, from, to, now, log)
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	if err := writeDiff(stdout, diffRules(oldCfg, newCfg, oldRes, newRes), from, to, against); err != nil {
		fmt.Fprintln(stderr, "vigil diff:", err)
		return exitConfig
	}
	return exitOK
}

// diffRange reads --from and --to as backtest does.
func diffRange(fromText, toText string, now time.Time) (from, to time.Time, err error) {
	to = now
	if toText != "" {
		if to, err = parseWhen(toText, now); err != nil {
			return from, to, fmt.Errorf("--to: %w", err)
		}
		if to.After(now) {
			to = now
		}
	}
	if from, err = parseWhen(fromText, to); err != nil {
		return from, to, fmt.Errorf("--from: %w", err)
	}
	if !from.Before(to) {
		return from, to, fmt.Errorf("--from %s is not before --to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return from, to, nil
}

// replayConfig loads a config, builds its engine and replays every rule.
func replayConfig(ctx context.Context, path string, from, to, now time.Time, log *slog.Logger) (*config.Config, []engine.BacktestResult, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, nil, err
	}
	e, err := engine.Build(ctx, cfg, engine.Options{Logger: log, Now: func() time.Time { return now }})
	if err != nil {
		return nil, nil, err
	}
	defer e.Close()
	return cfg, e.Backtest(ctx, from, to, nil, nil), nil
}
