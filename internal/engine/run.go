package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Run evaluates every rule once, then each on its cron schedule in its own
// zone, until ctx is cancelled. It then stops the scheduler, waits for the
// evaluations in flight (their contexts derive from ctx, so they end soon)
// and returns nil. It returns an error without running anything when a
// schedule does not parse.
func (e *Engine) Run(ctx context.Context) error {
	s, err := e.start(ctx, nil)
	if err != nil {
		return err
	}
	<-ctx.Done()
	e.log.Info("stopping")
	s.stop()
	return nil
}

// scheduler runs an engine's jobs: on their schedules, and once at start.
type scheduler struct {
	cron  *cron.Cron
	first sync.WaitGroup // the runs at start
}

// stop stops scheduling and waits for every evaluation in flight.
func (s *scheduler) stop() {
	<-s.cron.Stop().Done()
	s.first.Wait()
}

// start schedules every rule and evaluates at once the rules named in
// first (every rule when first is nil). The first runs go through the same
// chain as scheduled ones, so a rule never runs twice at the same time, and
// each rule starts on its own: a rule whose source hangs delays no other.
func (e *Engine) start(ctx context.Context, first []string) (*scheduler, error) {
	jobs, err := e.jobs(ctx)
	if err != nil {
		return nil, err
	}
	clog := cronLogger{e.log}
	s := &scheduler{cron: cron.New(
		cron.WithLocation(time.UTC),
		cron.WithLogger(clog),
		cron.WithChain(cron.Recover(clog), cron.SkipIfStillRunning(clog)),
	)}
	start := e.now()
	e.log.Info("starting", "rules", len(e.rules))
	ids := make(map[cron.EntryID]bool, len(jobs))
	for _, j := range jobs {
		j.last = start
		id := s.cron.Schedule(j.schedule, j)
		ids[id] = first == nil || slices.Contains(first, j.rule.Name())
	}
	for _, entry := range s.cron.Entries() {
		if ids[entry.ID] {
			s.first.Go(entry.WrappedJob.Run)
		}
	}
	s.cron.Start()
	return s, nil
}

// jobs parses every rule's schedule, returning all failures at once.
func (e *Engine) jobs(ctx context.Context) ([]*job, error) {
	var errs []error
	jobs := make([]*job, 0, len(e.rules))
	for _, r := range e.rules {
		spec := r.Metric.Schedule
		if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
			spec = "CRON_TZ=" + location(r.Metric).String() + " " + spec
		}
		s, err := cron.ParseStandard(spec)
		if err != nil {
			errs = append(errs, fmt.Errorf("rule %q: schedule %q: %w", r.Name(), r.Metric.Schedule, err))
			continue
		}
		jobs = append(jobs, &job{engine: e, ctx: ctx, rule: r, schedule: s})
	}
	return jobs, errors.Join(errs...)
}

// job is one rule on its schedule. cron's Job has neither context nor
// error, so the job carries the root context and logs failures itself.
type job struct {
	engine   *Engine
	ctx      context.Context
	rule     Rule
	schedule cron.Schedule

	mu   sync.Mutex
	last time.Time // the activation evaluated last
}

// maxCatchUp bounds the walk from the last activation to the current one.
const maxCatchUp = 100000

// Run evaluates the rule as of the activation that triggered it.
func (j *job) Run() {
	j.engine.runRule(j.ctx, j.rule, j.scheduled())
}

// scheduled returns the latest activation of the schedule at or before the
// clock's now, walking from the last one so that skipped runs are passed
// over; it falls back to the clock when there is none since the last run.
func (j *job) scheduled() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.engine.now()
	t := j.last
	n := j.schedule.Next(t)
	for i := 0; i < maxCatchUp && !n.IsZero() && !n.After(now); i++ {
		t, n = n, j.schedule.Next(n)
	}
	if !t.After(j.last) {
		t = now
	}
	j.last = t
	return t
}

// cronLogger sends cron's messages to slog: its routine ones at debug level.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
