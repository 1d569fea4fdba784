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
		if s.digest {
			c := cron.New(cron.WithLocation(s.loc))
			_, err := c.AddFunc(s.schedule, func() {
				n, err := e.flushDigest(s.name, e.now())
				if err != nil {
					log.Error("slack digest not flushed; its incidents wait for the next one", "err", err)
					return
				}
				log.Debug("slack digest flushed", "channels", n)
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
