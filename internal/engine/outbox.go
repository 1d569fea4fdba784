package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"vigil/internal/state"
	"vigil/notifiers"
)

// Outbox backoff and give-up. A delivery that a notifier keeps refusing
// with a retryable error is tried again after 10s, 20s, 40s ... at most
// 15 minutes apart, and given up after 30 tries (about six hours). Time
// vigil spends stopped does not count.
const (
	outboxMinBackoff  = 10 * time.Second
	outboxMaxBackoff  = 15 * time.Minute
	outboxMaxAttempts = 30
)

// Outbox sends the deliveries recorded in the state store and records how
// each went. The engine records a delivery in the same transaction as the
// incident change that causes it; the outbox sends it afterwards, in the
// order recorded, one lane per notifier so that a slow notifier delays no
// other. Deliveries found pending when it starts were perhaps sent before a
// crash: a notifier that can tell (notifiers.Prober) is asked first; the
// others get the delivery again with the same idempotency key.
type Outbox struct {
	store *state.Store
	log   *slog.Logger
	obs   Observer
	hook  func(step string)
	now   func() time.Time
	min   time.Duration // backoff after the first failed try

	kick chan struct{}
	done chan string // lanes report their notifier when they stop

	mu        sync.Mutex
	targets   map[string]target
	busy      map[string]bool      // notifiers with a lane running
	resumed   map[string]bool      // keys pending at start
	notBefore map[string]time.Time // rate limits asked for by notifiers
}

// OutboxOptions configure an Outbox. Zero fields take defaults as in
// Options.
type OutboxOptions struct {
	Logger   *slog.Logger
	Observer Observer
	Hook     func(step string)
	Now      func() time.Time
	// Backoff is the wait after a delivery's first failed try, doubling
	// with each further one up to 15 minutes; zero means 10 seconds.
	Backoff time.Duration
}

// target is where deliveries of one outbox name go.
type target interface {
	send(ctx context.Context, d state.Delivery) (retry bool, err error)
	// prober says whether a delivery already arrived, when it can know.
	prober() (notifiers.Prober, bool)
}

// NewOutbox returns an Outbox over store. It sends nothing until Run.
func NewOutbox(store *state.Store, opts OutboxOptions) *Outbox {
	o := Options{Logger: opts.Logger, Now: opts.Now, Observer: opts.Observer}.withDefaults()
	if opts.Backoff <= 0 {
		opts.Backoff = outboxMinBackoff
	}
	return &Outbox{store: store, log: o.Logger, obs: o.Observer, hook: opts.Hook, now: o.Now, min: opts.Backoff,
		kick: make(chan struct{}, 1), done: make(chan string, 16),
		targets: map[string]target{}, busy: map[string]bool{}, resumed: map[string]bool{}, notBefore: map[string]time.Time{}}
}

// Kick tells the outbox that deliveries were recorded.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Use sends deliveries to e's notifiers (and history writer) from now on,
// as after a reload. Deliveries for a notifier e does not have are given
// up with a reason.
func (o *Outbox) Use(e *Engine) { o.setTargets(e.outboxTargets()) }

func (o *Outbox) setTargets(ts map[string]target) {
	o.mu.Lock()
	o.targets = ts
	o.mu.Unlock()
	o.Kick()
}

// Run sends deliveries until ctx is done. It then keeps sending for at
// most drain, so that deliveries in flight (and those already due) finish,
// stops the rest and returns. Deliveries left pending are sent on the next
// start.
func (o *Outbox) Run(ctx context.Context, drain time.Duration) error {
	pending, err := o.store.Pending(0)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.mu.Lock()
	for _, d := range pending {
		o.resumed[d.Key] = true
	}
	o.mu.Unlock()
	if len(pending) > 0 {
		o.log.Info("resuming deliveries", "pending", len(pending))
	}
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stopping := ctx.Done()
	var deadline <-chan time.Time
	for {
		next, active := o.dispatch(sendCtx)
		if deadline != nil && !active {
			return nil // stopping, and nothing in flight or due
		}
		wait := time.NewTimer(max(time.Until(next), 50*time.Millisecond))
		select {
		case <-o.kick:
		case name := <-o.done:
			o.finish(name)
		case <-wait.C:
		case <-stopping:
			stopping = nil
			t := time.NewTimer(drain)
			defer t.Stop()
			deadline = t.C
		case <-deadline:
			wait.Stop()
			cancel()
			o.waitLanes()
			return nil
		}
		wait.Stop()
	}
}

// finish marks a lane stopped.
func (o *Outbox) finish(name string) {
	o.mu.Lock()
	delete(o.busy, name)
	o.mu.Unlock()
}

// waitLanes waits for every lane to stop.
func (o *Outbox) waitLanes() {
	for {
		o.mu.Lock()
		n := len(o.busy)
		o.mu.Unlock()
		if n == 0 {
			return
		}
		o.finish(<-o.done)
	}
}

// dispatch starts a lane for each notifier with deliveries due and no lane
// running. It returns when it should look again, and whether any lane
// runs.
func (o *Outbox) dispatch(ctx context.Context) (next time.Time, active bool) {
	next = o.now().Add(time.Minute)
	pending, err := o.store.Pending(0)
	if err != nil {
		o.log.Error("outbox: cannot read pending deliveries", "err", err)
		o.mu.Lock()
		defer o.mu.Unlock()
		return next, len(o.busy) > 0
	}
	lanes := map[string][]state.Delivery{}
	var order []string
	for _, d := range pending {
		if _, ok := lanes[d.Notifier]; !ok {
			order = append(order, d.Notifier)
		}
		lanes[d.Notifier] = append(lanes[d.Notifier], d)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, name := range order {
		if o.busy[name] {
			continue
		}
		ds := lanes[name]
		if due := o.due(ds[0]); due.After(o.now()) {
			next = earlier(next, due)
			continue
		}
		o.busy[name] = true
		go o.lane(ctx, name, o.targets[name], ds)
	}
	return next, len(o.busy) > 0
}

// due returns when d may be tried: at once the first time, then after a
// backoff that doubles with each failed try, and never before a rate
// limit the notifier asked for.
func (o *Outbox) due(d state.Delivery) time.Time {
	var at time.Time
	if d.Attempts > 0 {
		wait := o.min << min(d.Attempts-1, 20)
		at = d.LastAttemptAt.Add(min(wait, outboxMaxBackoff))
	}
	if nb, ok := o.notBefore[d.Key]; ok && nb.After(at) {
		at = nb
	}
	return at
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// lane sends the deliveries of one notifier in order until one must wait.
func (o *Outbox) lane(ctx context.Context, name string, t target, ds []state.Delivery) {
	defer func() { o.done <- name }()
	log := o.log.With("notifier", name)
	for _, d := range ds {
		if ctx.Err() != nil {
			return
		}
		if t == nil {
			o.giveUp(log, d, fmt.Sprintf("notifier %q is no longer configured", name))
			continue
		}
		o.mu.Lock()
		due := o.due(d)
		o.mu.Unlock()
		if due.After(o.now()) {
			return
		}
		if !o.deliver(ctx, log, t, d) {
			return
		}
	}
}

// deliver sends d once and records the outcome. It reports whether the
// lane may go on to the next delivery.
func (o *Outbox) deliver(ctx context.Context, log *slog.Logger, t target, d state.Delivery) bool {
	log = log.With("key", d.Key, "event", d.Event)
	if o.maybeSent(d) {
		if p, ok := t.prober(); ok {
			sent, err := p.Delivered(ctx, d.Key)
			switch {
			case err != nil:
				log.Warn("cannot ask whether a delivery arrived; sending it again", "err", err)
			case sent:
				log.Info("delivery had arrived before the restart")
				return o.markSent(log, d)
			}
		}
	}
	retry, err := t.send(ctx, d)
	switch {
	case err == nil:
		o.checkpoint("sent")
		ok := o.markSent(log, d)
		o.checkpoint("marked")
		return ok
	case ctx.Err() != nil:
		return false // stopping: it stays pending and is resumed next time
	case !retry || notifiers.IsPermanent(err):
		o.giveUp(log, d, err.Error())
		return true
	}
	o.obs.Delivery(d.Notifier, deliveryRetry)
	if d.Attempts+1 >= outboxMaxAttempts {
		o.giveUp(log, d, fmt.Sprintf("gave up after %d tries: %v", d.Attempts+1, err))
		return true
	}
	log.Warn("delivery failed; will try again", "err", err, "attempt", d.Attempts+1)
	if wait, ok := notifiers.RetryAfter(err); ok {
		o.mu.Lock()
		o.notBefore[d.Key] = o.now().Add(wait)
		o.mu.Unlock()
	}
	if err := o.store.MarkAttempt(d.Key, err); err != nil {
		log.Error("cannot record a delivery attempt", "err", err)
	}
	return false
}

// maybeSent says whether d may have been sent already: it was pending when
// the outbox started, or a try failed in a way that may hide a success.
func (o *Outbox) maybeSent(d state.Delivery) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.resumed[d.Key] || d.Attempts > 0
}

func (o *Outbox) markSent(log *slog.Logger, d state.Delivery) bool {
	if err := o.store.MarkSent(d.Key, "", o.now()); err != nil {
		log.Error("delivered, but cannot record it; it may be sent again", "err", err)
		return false
	}
	o.forget(d.Key)
	o.obs.Delivery(d.Notifier, deliverySent)
	log.Debug("delivered")
	return true
}

func (o *Outbox) giveUp(log *slog.Logger, d state.Delivery, reason string) {
	if err := o.store.MarkFailed(d.Key, reason); err != nil && !errors.Is(err, state.ErrConflict) {
		log.Error("cannot record a failed delivery", "key", d.Key, "err", err)
		return
	}
	o.forget(d.Key)
	o.obs.Delivery(d.Notifier, deliveryFailed)
	log.Error("delivery failed for good", "key", d.Key, "reason", reason)
}

func (o *Outbox) forget(key string) {
	o.mu.Lock()
	delete(o.resumed, key)
	delete(o.notBefore, key)
	o.mu.Unlock()
}

func (o *Outbox) checkpoint(step string) {
	if o.hook != nil {
		o.hook(step)
	}
}

// alertTarget sends alerts to a notifier.
type alertTarget struct{ n notifiers.Notifier }

func (t alertTarget) send(ctx context.Context, d state.Delivery) (bool, error) {
	a, err := decodeAlert(d.Payload)
	if err != nil {
		return false, notifiers.Permanent(err)
	}
	a.Key = d.Key
	return t.n.Notify(ctx, a)
}

func (t alertTarget) prober() (notifiers.Prober, bool) { return notifiers.AsProber(t.n) }
