package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"vigil/config"
	"vigil/internal/engine"
)

var runCommand = command{
	name:    "run",
	summary: "run the daemon: evaluate rules on their schedules until stopped",
	help:    runHelp,
	run:     runDaemon,
}

const runHelp = `Usage: vigil run [--config FILE]

Load the config, open its sources, evaluate every rule once, then each rule
on its schedule in its own timezone, sending alerts to its notifiers when a
metric becomes anomalous (once per incident; a recovery is logged). Stop it
with SIGINT (Ctrl-C) or SIGTERM: it finishes the evaluations in flight and
exits. Logs go to stderr; the console notifier writes to stdout.

Flags:
  --config FILE        the config file (default vigil.yaml)
  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)

Examples:
  vigil run --config vigil.yaml
  vigil run --config /etc/vigil/vigil.yaml --log-format json --log-level debug

Exit codes:
  0  stopped by a signal
  1  the config does not load or build, or a flag is wrong
`

func runDaemon(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil run", stderr, g)
	path := fs.String("config", "vigil.yaml", "the config file")
	if code, ok := parse(fs, args, stdout, helpOf(runHelp)); !ok {
		return code
	}
	if extra(fs, stderr) {
		return exitConfig
	}
	log, err := g.logger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "vigil run:", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := config.Load(*path)
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	e, err := engine.Build(ctx, cfg, engine.Options{Logger: log, Stdout: stdout, Now: time.Now})
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	defer e.Close()
	log.Info("loaded", "config", *path, "summary", cfg.Summary())
	if err := e.Run(ctx); err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	log.Info("stopped")
	return exitOK
}
