package engine

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
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
	lanesPerNotifier  = 8
	// dispatchEvery is the shortest wait between two looks at the queue,
	// so that deliveries recorded together start together.
	dispatchEvery = 20 * time.Millisecond
)

// Outbox sends the deliveries recorded in the state store and records how
// each went. The engine records a delivery in the same transaction as the
// incident change that causes it, then hands it to the outbox (Add), which
// sends it. Each notifier's deliveries about one incident (or one rule) go
// in the order recorded, in a lane of their own; a notifier runs at most
// lanesPerNotifier lanes at once, so that a slow notifier or a delivery
// that must wait delays no other. The outbox keeps its queue in memory,
// filled from the store when it starts and checked against it every
// reconcileEvery, so that it never re-reads the whole outbox for each new
// delivery. Deliveries found pending when it starts were perhaps sent
// before a crash: a notifier that can tell (notifiers.Prober) is asked
// first; the others get the delivery again with the same idempotency key.
type Outbox struct {
	store *state.Store
	log   *slog.Logger
	obs   Observer
	hook  func(step string)
	now   func() time.Time
	min   time.Duration // backoff after the first failed try

	kick  chan struct{}
	done  chan string   // lanes report their key when they stop
	marks chan sentMark // deliveries to record as sent; see marker

	mu        sync.Mutex
	targets   map[string]target
	queue     map[string][]state.Delivery // pending deliveries by laneKey, in order
	queued    map[string]bool             // their keys
	busy      map[string]bool             // lanes running, by laneKey
	perNot    map[string]int              // lanes running, by notifier
	resumed   map[string]bool             // keys pending at start
	notBefore map[string]time.Time        // rate limits asked for by notifiers
}

// reconcileEvery is how often the outbox checks its queue against the
// store's, in case a delivery was recorded without being handed to it.
const reconcileEvery = time.Minute

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
	// prober can say whether d already arrived, when there is a way to
	// know.
	prober(d state.Delivery) (notifiers.Prober, bool)
}

// NewOutbox returns an Outbox over store. It sends nothing until Run.
func NewOutbox(store *state.Store, opts OutboxOptions) *Outbox {
	o := Options{Logger: opts.Logger, Now: opts.Now, Observer: opts.Observer}.withDefaults()
	if opts.Backoff <= 0 {
		opts.Backoff = outboxMinBackoff
	}
	return &Outbox{store: store, log: o.Logger, obs: o.Observer, hook: opts.Hook, now: o.Now, min: opts.Backoff,
		kick: make(chan struct{}, 1), done: make(chan string, 16), marks: make(chan sentMark, 1024),
		targets: map[string]target{}, queue: map[string][]state.Delivery{}, queued: map[string]bool{},
		busy: map[string]bool{}, perNot: map[string]int{}, resumed: map[string]bool{}, notBefore: map[string]time.Time{}}
}

// Kick tells the outbox to look at its queue again.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Add queues deliveries just recorded as pending in the store, and wakes
// the outbox.
func (o *Outbox) Add(ds ...state.Delivery) {
	o.mu.Lock()
	for _, d := range ds {
		o.push(d)
	}
	o.mu.Unlock()
	o.Kick()
}

// push queues d unless it is queued already. o.mu must be held.
func (o *Outbox) push(d state.Delivery) {
	if o.queued[d.Key] {
		return
	}
	k := laneKey(d)
	q := o.queue[k]
	i := len(q)
	for i > 0 && q[i-1].Seq > d.Seq { // keep the lane in recorded order
		i--
	}
	o.queue[k] = slices.Insert(q, i, d)
	o.queued[d.Key] = true
}

// update removes a delivery that is finished from the queue, or, when it
// will be tried again, stores the attempt in its queued copy.
func (o *Outbox) update(d state.Delivery, finished bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := laneKey(d)
	q := o.queue[k]
	i := slices.IndexFunc(q, func(x state.Delivery) bool { return x.Key == d.Key })
	if i < 0 {
		return
	}
	if !finished {
		q[i] = d
		return
	}
	q = slices.Delete(q, i, i+1)
	if len(q) == 0 {
		delete(o.queue, k)
	} else {
		o.queue[k] = q
	}
	delete(o.queued, d.Key)
	delete(o.resumed, d.Key)
	delete(o.notBefore, d.Key)
}

// reconcile queues what the store holds pending and the queue lacks.
func (o *Outbox) reconcile() (int, error) {
	pending, err := o.store.Pending(0)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	added := 0
	for _, d := range pending {
		if !o.queued[d.Key] {
			o.push(d)
			added++
		}
	}
	return added, nil
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
// start. Run an Outbox once.
func (o *Outbox) Run(ctx context.Context, drain time.Duration) error {
	n, err := o.reconcile()
	if err != nil {
		return err
	}
	marked := make(chan struct{})
	go o.marker(marked)
	defer func() {
		close(o.marks) // every lane has stopped: nothing more to mark
		<-marked
	}()
	o.mu.Lock()
	for key := range o.queued {
		o.resumed[key] = true
	}
	o.mu.Unlock()
	if n > 0 {
		o.log.Info("resuming deliveries", "pending", n)
	}
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stopping := ctx.Done()
	var deadline <-chan time.Time
	check := time.NewTicker(reconcileEvery)
	defer check.Stop()
	for {
		next, active := o.dispatch(sendCtx)
		if deadline != nil && !active {
			return nil // stopping, and nothing in flight or due
		}
		wait := time.NewTimer(max(time.Until(next), dispatchEvery))
		select {
		case <-o.kick:
		case key := <-o.done:
			o.finish(key)
		case <-wait.C:
		case <-check.C:
			if n, err := o.reconcile(); err != nil || n > 0 {
				o.log.Warn("outbox: queued deliveries found only in the store", "count", n, "err", err)
			}
		case <-stopping:
			stopping = nil
			t := time.NewTimer(drain)
			defer t.Stop()
			deadline = t.C
			o.checkpoint("stopping")
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
func (o *Outbox) finish(lane string) {
	o.mu.Lock()
	if o.busy[lane] {
		delete(o.busy, lane)
		o.perNot[laneNotifier(lane)]--
	}
	o.mu.Unlock()
}

// laneKey names the lane of d: its notifier and what it is about (the
// incident, or the rule for an event about a rule).
func laneKey(d state.Delivery) string {
	subject := d.Incident
	if subject == "" {
		subject, _, _ = strings.Cut(d.Key, "|")
	}
	return d.Notifier + "\x00" + subject
}

func laneNotifier(lane string) string {
	n, _, _ := strings.Cut(lane, "\x00")
	return n
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

// dispatch starts a lane for each lane with a delivery due, no lane
// running, and room under its notifier's limit, oldest lanes first. It
// returns when it should look again, and whether any lane runs.
func (o *Outbox) dispatch(ctx context.Context) (next time.Time, active bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	next = now.Add(time.Minute)
	keys := make([]string, 0, len(o.queue))
	for k := range o.queue {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(o.queue[a][0].Seq, o.queue[b][0].Seq) })
	for _, k := range keys {
		ds := o.queue[k]
		name := ds[0].Notifier
		if o.busy[k] || o.perNot[name] >= lanesPerNotifier {
			continue
		}
		if due := o.due(ds[0]); due.After(now) {
			next = earlier(next, due)
			continue
		}
		o.busy[k] = true
		o.perNot[name]++
		go o.lane(ctx, k, o.targets[name], slices.Clone(ds))
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
