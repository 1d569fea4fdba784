package engine

import (
	"context"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// listenerRetry is how long a button listener whose connection failed
// waits before it connects again.
const listenerRetry = 10 * time.Second

// takeDigests moves what the digests of old collected into the digests of
// e's Slack notifiers of the same names, so that a reload loses no
// incident from the next digest.
func (e *Engine) takeDigests(old *Engine) {
	if old == nil {
		return
	}
	prev := map[string]*slackSide{}
	for _, s := range old.slack {
		prev[s.name] = s
	}
	for _, s := range e.slack {
		if p := prev[s.name]; p != nil && p.digest != nil && s.digest != nil {
			s.digest.Take(p.digest)
		}
	}
}

// runSlack starts what runs beside the engine's Slack notifiers: each
// button listener, and each digest flushed on its schedule. The returned
// function stops them and waits until they have stopped.
func (e *Engine) runSlack(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var crons []*cron.Cron
	for _, s := range e.slack {
		log := e.log.With("notifier", s.name)
		if s.listener != nil {
			wg.Go(func() {
				for {
					err := s.listener.Run(ctx)
					if ctx.Err() != nil {
						return
					}
					log.Error("slack buttons: connection lost; connecting again", "err", err, "in", listenerRetry)
					select {
					case <-ctx.Done():
						return
					case <-time.After(listenerRetry):
					}
				}
			})
		}
		if s.digest != nil {
			c := cron.New(cron.WithLocation(s.loc))
			_, err := c.AddFunc(s.schedule, func() {
				if err := s.digest.Flush(ctx, e.now()); err != nil {
					log.Error("slack digest not posted; its incidents wait for the next one", "err", err)
				}
			})
			if err != nil { // config.Load checked the schedule
				log.Error("slack digest schedule", "schedule", s.schedule, "err", err)
				continue
			}
			c.Start()
			crons = append(crons, c)
		}
	}
	return func() {
		cancel()
		for _, c := range crons {
			<-c.Stop().Done()
		}
		wg.Wait()
	}
}
