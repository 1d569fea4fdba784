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
	"vigil/internal/ops"
	"vigil/internal/state"
)

var runCommand = command{
	name:    "run",
	summary: "run the daemon: evaluate rules on their schedules until stopped",
	help:    runHelp,
	run:     runDaemon,
}

var runHelp = `Usage: vigil run [--config FILE] [--listen ADDR] [--watch] [--shutdown-timeout D] [--shard I/N]

Load the config, open its sources and its state file, evaluate every rule
once, then each rule on its schedule in its own timezone. Incidents live in
the state file: a metric that becomes anomalous opens one incident, its
notifiers hear when it fires and when it resolves (and are reminded while
it lasts), and every notification is recorded before it is sent, so that a
restart neither loses nor repeats one. After a downtime the buckets missed
are judged too. A rule that keeps failing is reported to its notifiers.

The daemon holds the state file for as long as it runs. Beside it, it
keeps a read copy, <state>.snapshot (vigil-state.db.snapshot), for tools
that read its records while it runs (vigil backtest reads feedback there):
written on start, a few seconds after incidents or feedback change, and on
shutdown, each time to a temporary file that is then renamed over the last
copy. It is only read: the daemon never loads it back.

Reload with SIGHUP, or with --watch whenever the config file or a rules file
changes: the new config is loaded and built in full first, and if that fails
the running one stays. Stop with SIGINT (Ctrl-C) or SIGTERM: evaluations in
flight finish, deliveries go on for up to the shutdown timeout, and vigil
exits. Logs go to stderr; the console notifier writes to stdout.

Flags:
  --config FILE            the config file (default vigil.yaml)
  --listen ADDR            address for /metrics, /healthz and /readyz
                           (default 127.0.0.1:9464)
  --watch                  reload when the config or rules files change
                           (checked every 5s)
  --shutdown-timeout D     how long deliveries may go on after a stop
                           (default 30s)
` + shardHelp(27) + `  --log-level LEVEL        debug, info, warn or error (default info)
  --log-format FORMAT      text or json (default text)

Examples:
  vigil run --config vigil.yaml
  vigil run --config /etc/vigil/vigil.yaml --watch --log-format json

Exit codes:
  0  stopped by a signal
  1  the config does not load or build, the state file cannot be opened
     (in use, damaged or newer), or a flag is wrong
`

// watchEvery is how often --watch looks at the config files.
const watchEvery = 5 * time.Second

// testHook, set only by the tests, is called at named steps of recording
// and delivering, so that a test can kill the process there.
var testHook func(step string)

func runDaemon(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil run", stderr, g)
	path := fs.String("config", "vigil.yaml", "the config file")
	listen := fs.String("listen", "127.0.0.1:9464", "address of the metrics and health server")
	watch := fs.Bool("watch", false, "reload when the config files change")
	shutdown := fs.Duration("shutdown-timeout", engine.DefaultShutdownTimeout, "how long deliveries may go on after a stop")
	shardSpec := shardFlag(fs)
	if code, ok := parse(fs, args, stdout, helpOf(runHelp)); !ok {
		return code
	}
	if extra(fs, stderr) {
		return exitConfig
	}
	if *shutdown <= 0 {
		fmt.Fprintln(stderr, "vigil run: --shutdown-timeout must be positive")
		return exitConfig
	}
	log, err := g.logger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "vigil run:", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	load := func() (*config.Config, error) {
		cfg, err := config.Load(*path)
		if err != nil {
			return nil, err
		}
		if _, err := applyShard(cfg, *shardSpec); err != nil {
			return nil, err
		}
		return cfg, nil
	}
	cfg, err := load()
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	reg := ops.NewRegistry()
	metrics := ops.NewMetrics(reg)
	metrics.SetBuildInfo(version)
	metrics.SetRules(len(cfg.Metrics))
	store, err := state.Open(cfg.State, state.Options{Logger: log})
	if err != nil {
		fmt.Fprintln(stderr, "vigil run:", err)
		return exitConfig
	}
	defer store.Close()
	// Tools that read the state (vigil backtest) cannot open the file the
	// daemon holds; they read this copy, kept fresh until the daemon stops.
	snapshots := store.Snapshots(state.SnapshotOptions{Logger: log})
	defer snapshots.Close()
	opts := engine.DaemonOptions{
		Options:         engine.Options{Logger: log, Stdout: stdout, Now: time.Now, Store: store, Hook: testHook, Observer: opsObserver{metrics}},
		Load:            load,
		ShutdownTimeout: *shutdown,
		Listen:          *listen,
	}
	if *watch {
		opts.Watch = watchEvery
	}
	d, err := engine.NewDaemon(ctx, cfg, opts)
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	defer d.Close()
	if *listen != "" {
		stopOps, err := startOps(ctx, *listen, reg, d, log)
		if err != nil {
			fmt.Fprintln(stderr, "vigil run: --listen:", err)
			return exitConfig
		}
		defer stopOps()
	}
	log.Info("loaded", "config", *path, "summary", cfg.Summary(), "state", cfg.State, "listen", *listen, "watch", *watch)
	if err := d.Run(ctx, hangups()); err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	log.Info("stopped")
	return exitOK
}

// hangups returns a channel that receives on every SIGHUP.
func hangups() <-chan struct{} {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	out := make(chan struct{}, 1)
	go func() {
		for range sig {
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out
}
