package ops

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// readyGrace is how long past its timeout a probe waits for a check.
const readyGrace = 100 * time.Millisecond

// errTimeout is what a readiness check that overran its timeout reports.
var errTimeout = errors.New("readiness check timed out")

// readiness runs the engine's Ready check at most once per ttl and never
// more than one at a time, so that probes from every kubelet and load
// balancer cannot hammer the warehouse; everyone in between gets the cached
// verdict.
type readiness struct {
	check   func(context.Context) error
	ttl     time.Duration
	timeout time.Duration
	now     func() time.Time
	// onChange is told each verdict that differs from the previous one in
	// being ready or not (not each new error text).
	onChange func(err error)

	mu      sync.Mutex
	base    context.Context    // parent of each check
	stop    context.CancelFunc // cancels base: shutdown ends the check in flight
	wg      sync.WaitGroup     // the check in flight
	have    bool               // a verdict is cached
	at      time.Time          // when the cached verdict was reached
	err     error              // the cached verdict
	running chan struct{}      // closed when the check in flight finishes; nil if none
	closed  bool               // shutting down: start no more checks
	known   bool               // some verdict was reached
	wasOK   bool               // the last verdict was ready
}

// errShuttingDown is the verdict once the server is shutting down, so a
// load balancer stops sending traffic while the last requests drain.
var errShuttingDown = errors.New("shutting down")

// Check returns the cached verdict while it is fresh; otherwise it starts a
// check (or joins the one in flight) and waits for it, for at most the
// timeout and while ctx lasts. A check that overruns its timeout reports
// errTimeout; it keeps its slot until it returns, so a hung warehouse
// costs one goroutine, not one per probe.
func (r *readiness) Check(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return errShuttingDown
	}
	if r.check == nil {
		r.mu.Unlock()
		return nil
	}
	if r.have && r.now().Sub(r.at) < r.ttl {
		err := r.err
		r.mu.Unlock()
		return err
	}
	done := r.running
	if done == nil {
		done = r.start()
	}
	r.mu.Unlock()

	// The check's own context expires at the timeout; the grace lets a check
	// that honours it report why, and stops only one that does not.
	timer := time.NewTimer(r.timeout + readyGrace)
	defer timer.Stop()
	select {
	case <-done:
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.closed {
			return errShuttingDown // the check was cut short by shutdown
		}
		return r.err
	case <-timer.C:
		return fmt.Errorf("%w after %s", errTimeout, r.timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// start launches a check; r.mu is held.
func (r *readiness) start() chan struct{} {
	done := make(chan struct{})
	r.running = done
	base := r.base
	if base == nil {
		base = context.Background()
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		ctx, cancel := context.WithTimeout(base, r.timeout)
		err := r.run(ctx)
		cancel()
		r.record(err)
		close(done)
	}()
	return done
}

// run calls the check, turning a panic into an error: a bug in one
// source's ping must not take the daemon down through its health endpoint.
func (r *readiness) run(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("readiness check panicked: %v", p)
		}
	}()
	err = r.check(ctx)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		err = fmt.Errorf("%w after %s: %w", errTimeout, r.timeout, err)
	}
	return err
}

// record caches a verdict and reports a change between ready and not.
func (r *readiness) record(err error) {
	r.mu.Lock()
	r.have, r.at, r.err, r.running = true, r.now(), err, nil
	changed := !r.closed && (!r.known || r.wasOK != (err == nil))
	r.known, r.wasOK = true, err == nil
	r.mu.Unlock()
	if changed && r.onChange != nil {
		r.onChange(err)
	}
}

// setBase sets the context each check derives from.
func (r *readiness) setBase(ctx context.Context) {
	r.mu.Lock()
	r.base, r.stop = context.WithCancel(ctx)
	r.mu.Unlock()
}

// shutdown cancels the check in flight and makes every later Check report
// errShuttingDown and start no check.
func (r *readiness) shutdown() {
	r.mu.Lock()
	r.closed = true
	stop := r.stop
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// wait blocks until the check in flight, if any, returns or ctx is done.
// Call it after shutdown, so that only a check that ignores its context
// can make it give up.
func (r *readiness) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the readiness check: %w", ctx.Err())
	}
}
