package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"vigil/config"
	"vigil/internal/state"
)

// DefaultShutdownTimeout bounds how long a stopping daemon keeps
// delivering.
const DefaultShutdownTimeout = 30 * time.Second

// pruneEvery is how often the daemon deletes old resolved incidents and
// finished deliveries (state.DefaultRetention).
const pruneEvery = 24 * time.Hour

// DaemonOptions configure a Daemon. Options.Store is required.
type DaemonOptions struct {
	Options
	// Load reads the config again for a reload.
	Load func() (*config.Config, error)
	// Watch, when positive, is how often the config file and rules folder
	// are checked for changes, which reload the config; zero: only on
	// request (SIGHUP).
	Watch time.Duration
	// WatchFiles returns the files and folders to watch for cfg; nil
	// watches cfg.File and cfg.RulesDir.
	WatchFiles func(cfg *config.Config) []string
	// ShutdownTimeout bounds how long deliveries go on after the stop;
	// zero means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Listen is the address of the ops HTTP server (metrics, health),
	// served by the caller; kept here for it.
	Listen string
}

// Daemon runs vigil for good: the rules of the current config on their
// schedules, with state in a store and an outbox that delivers, and
// reloads. A reload loads, validates and builds the new config in full,
// then swaps it in; when any of that fails the old config keeps running.
// State is keyed by rule name: a changed rule keeps its incidents, and a
// removed rule's open incident is resolved ("rule removed": its thread gets
// a last message) and its progress forgotten. Sources are re-opened only
// when their settings changed.
type Daemon struct {
	opts   DaemonOptions
	log    *slog.Logger
	store  *state.Store
	outbox *Outbox
	pool   *Pool
	obs    Observer

	mu    sync.Mutex // serialises reloads
	cur   *Engine
	cfg   *config.Config
	sched *scheduler
	slack func()          // stops the Slack listeners and digests of cur
	ctx   context.Context // the run's root, for scheduled evaluations
	ready atomic.Bool
}

// NewDaemon builds the engine for cfg. It returns the build's errors, all
// at once, when it cannot.
func NewDaemon(ctx context.Context, cfg *config.Config, opts DaemonOptions) (*Daemon, error) {
	if opts.Store == nil {
		return nil, errors.New("daemon: no state store")
	}
	opts.Options = opts.Options.withDefaults()
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	d := &Daemon{opts: opts, log: opts.Logger, store: opts.Store, pool: NewPool(), obs: opts.Observer}
	d.outbox = NewOutbox(opts.Store, OutboxOptions{Logger: opts.Logger, Observer: opts.Observer, Hook: opts.Hook})
	e, err := d.build(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := d.pool.Adopt(e); err != nil {
		d.log.Warn("closing sources", "err", err)
	}
	d.cur, d.cfg = e, cfg
	d.outbox.Use(e)
	return d, nil
}

// build builds an engine for cfg that borrows the open sources, and checks
// its schedules; on failure it closes what it opened.
func (d *Daemon) build(ctx context.Context, cfg *config.Config) (*Engine, error) {
	o := d.opts.Options
	o.Sources, o.Outbox = d.pool, d.outbox
	e, err := Build(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	if _, err := e.jobs(ctx); err != nil {
		closeAll(e.closers)
		return nil, err
	}
	return e, nil
}

// Rules returns the names of the rules running now.
func (d *Daemon) Rules() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cur.Rules()
}

// Ready reports whether the daemon runs its rules: started, and not
// stopping. It is what /readyz answers.
func (d *Daemon) Ready() bool { return d.ready.Load() }

// Check is the daemon's readiness: its config is loaded and built, and
// every source that can be pinged answers.
func (d *Daemon) Check(ctx context.Context) error {
	if !d.Ready() {
		return errors.New("config not loaded yet")
	}
	return d.pool.Ping(ctx)
}

// Listen returns the address the ops server should listen on.
func (d *Daemon) Listen() string { return d.opts.Listen }

// Close closes the sources. Call it after Run returns.
func (d *Daemon) Close() error { return d.pool.Close() }

// Run evaluates every rule, then each on its schedule, reloading on each
// receive from reload and, with Watch, when the config files change, until
// ctx is done. It then waits for the evaluations in flight, lets the outbox
// deliver for up to ShutdownTimeout, and returns.
func (d *Daemon) Run(ctx context.Context, reload <-chan struct{}) error {
	outCtx, stopOut := context.WithCancel(context.WithoutCancel(ctx))
	outDone := make(chan error, 1)
	go func() { outDone <- d.outbox.Run(outCtx, d.opts.ShutdownTimeout) }()
	d.mu.Lock()
	d.ctx = ctx
	sched, err := d.cur.start(ctx, nil)
	d.sched = sched
	if err == nil {
		d.slack = d.cur.runSlack(ctx)
	}
	d.mu.Unlock()
	if err != nil {
		stopOut()
		<-outDone
		return err
	}
	d.ready.Store(true)
	changed := d.watch(ctx)
	prune := time.NewTicker(pruneEvery)
	defer prune.Stop()
	d.prune()
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case <-reload:
			d.Reload(ctx)
		case <-changed:
			d.log.Info("config files changed; reloading")
			d.Reload(ctx)
		case <-prune.C:
			d.prune()
		}
	}
	d.ready.Store(false)
	d.log.Info("stopping: waiting for evaluations in flight")
	d.mu.Lock()
	d.sched.stop()
	d.slack()
	d.mu.Unlock()
	d.log.Info("stopping: finishing deliveries", "timeout", d.opts.ShutdownTimeout)
	stopOut()
	return <-outDone
}

// Reload loads the config again and swaps it in. On any failure it keeps
// the running config, logs why and returns the error.
func (d *Daemon) Reload(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opts.Now()
	err := d.reload(ctx)
	d.obs.Reload(err == nil, now)
	if err != nil {
		d.log.Error("reload refused; the running config stays", "err", err)
	}
	return err
}

func (d *Daemon) reload(ctx context.Context) error {
	if d.opts.Load == nil {
		return errors.New("no way to load the config")
	}
	cfg, err := d.opts.Load()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	e, err := d.build(ctx, cfg)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	added, changed, removed := diffRules(d.cfg, cfg)
	if d.sched != nil {
		d.sched.stop() // evaluations of the old rules finish first
	}
	old := d.cur
	d.cur, d.cfg = e, cfg
	d.outbox.Use(e)
	if err := d.pool.Adopt(e); err != nil {
		d.log.Warn("closing sources no longer used", "err", err)
	}
	for _, name := range removed {
		d.forget(old, name)
	}
	if d.sched != nil {
		d.slack() // the old notifiers' listeners and digests
		d.slack = e.runSlack(d.ctx)
		sched, err := e.start(d.ctx, append(append([]string{}, added...), changed...))
		if err != nil {
			return err // cannot happen: build checked the schedules
		}
		d.sched = sched
	}
	pruneDigests(d.store, e, d.log)
	d.log.Info("reloaded", "summary", cfg.Summary(), "added", added, "changed", changed, "removed", removed)
	return nil
}

// diffRules compares the rules of two configs by name.
func diffRules(old, cur *config.Config) (added, changed, removed []string) {
	before := map[string]string{}
	for _, m := range old.Metrics {
		before[m.Name] = metricKey(m)
	}
	seen := map[string]bool{}
	for _, m := range cur.Metrics {
		seen[m.Name] = true
		switch k, ok := before[m.Name]; {
		case !ok:
			added = append(added, m.Name)
		case k != metricKey(m):
			changed = append(changed, m.Name)
		}
	}
	for _, m := range old.Metrics {
		if !seen[m.Name] {
			removed = append(removed, m.Name)
		}
	}
	slices.Sort(removed)
	return added, changed, removed
}

// metricKey identifies a metric's settings, wherever it is written.
func metricKey(m config.Metric) string {
	m.Pos, m.Location = config.Pos{}, nil
	b, _ := json.Marshal(m)
	return string(b)
}

// prune deletes resolved incidents and finished deliveries past the
// retention, and digest items no notifier will post.
func (d *Daemon) prune() {
	p, err := d.store.Prune(d.opts.Now().Add(-state.DefaultRetention))
	switch {
	case err != nil:
		d.log.Error("cannot prune the state file", "err", err)
	case p.Incidents+p.Deliveries > 0:
		d.log.Info("pruned the state file", "incidents", p.Incidents, "deliveries", p.Deliveries)
	}
	d.mu.Lock()
	e := d.cur
	d.mu.Unlock()
	pruneDigests(d.store, e, d.log)
}
