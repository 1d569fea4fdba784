package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"vigil/internal/state"
	"vigil/notifiers"
)

// lane sends the deliveries of one lane in order until one must wait.
func (o *Outbox) lane(ctx context.Context, key string, t target, ds []state.Delivery) {
	defer func() { o.done <- key }()
	name := laneNotifier(key)
	log := o.log.With("notifier", name)
	for _, d := range ds {
		if ctx.Err() != nil {
			return
		}
		if t == nil {
			o.giveUp(log, d, fmt.Sprintf("notifier %q is no longer configured", name), nil)
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
		if p, ok := t.prober(d); ok {
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
	if err != nil && ctx.Err() == nil {
		o.obs.DeliveryFailure(d.Notifier, failureReason(err, retry))
	}
	switch {
	case err == nil:
		o.checkpoint("sent")
		return o.markSent(log, d)
	case ctx.Err() != nil:
		return false // stopping: it stays pending and is resumed next time
	case !retry || notifiers.IsPermanent(err):
		o.giveUp(log, d, err.Error(), t)
		return true
	}
	if d.Attempts+1 >= outboxMaxAttempts {
		o.giveUp(log, d, fmt.Sprintf("gave up after %d tries: %v", d.Attempts+1, err), t)
		return true
	}
	o.obs.Delivery(d.Notifier, deliveryRetry)
	log.Warn("delivery failed; will try again", "err", err, "attempt", d.Attempts+1)
	if wait, ok := notifiers.RetryAfter(err); ok {
		o.mu.Lock()
		o.notBefore[d.Key] = o.now().Add(wait)
		o.mu.Unlock()
	}
	if err := o.store.MarkAttempt(d.Key, err); err != nil {
		log.Error("cannot record a delivery attempt", "err", err)
	}
	d.Attempts++
	d.LastAttemptAt = o.now()
	o.update(d, false)
	return false
}

// maybeSent says whether d may have been sent already: it was pending when
// the outbox started, or a try failed in a way that may hide a success.
func (o *Outbox) maybeSent(d state.Delivery) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.resumed[d.Key] || d.Attempts > 0
}

// markSent takes d off the queue and has the marker record it sent.
func (o *Outbox) markSent(log *slog.Logger, d state.Delivery) bool {
	o.update(d, true)
	o.marks <- sentMark{d, o.now()}
	log.Debug("delivered")
	return true
}

// sentMark is a delivery the notifier accepted, to be recorded as sent.
type sentMark struct {
	d  state.Delivery
	at time.Time
}

// marker records deliveries as sent, many in one transaction when lanes
// finish together, so that a lane goes on without waiting for the disk. A
// crash before the record makes the delivery go again, with its key, as a
// crash between sending and recording always could. It returns when marks
// is closed and drained.
func (o *Outbox) marker(done chan<- struct{}) {
	defer close(done)
	for m := range o.marks {
		batch := []sentMark{m}
	more:
		for len(batch) < 1000 {
			select {
			case m, ok := <-o.marks:
				if !ok {
					break more
				}
				batch = append(batch, m)
			default:
				break more
			}
		}
		o.commitMarks(batch)
	}
}

func (o *Outbox) commitMarks(batch []sentMark) {
	err := o.store.Update(func(tx *state.Tx) error {
		for _, m := range batch {
			if err := tx.MarkSent(m.d.Key, "", m.at); err != nil {
				return err
			}
		}
		return nil
	})
	for _, m := range batch {
		if err != nil { // one bad record must not lose the others: one by one
			if err := o.store.MarkSent(m.d.Key, "", m.at); err != nil {
				o.log.Error("delivered, but cannot record it; it may be sent again", "notifier", m.d.Notifier, "key", m.d.Key, "err", err)
				continue
			}
		}
		o.obs.Delivery(m.d.Notifier, deliverySent)
	}
	o.checkpoint("marked")
}

// keeper is a target that keeps what a delivery given up carried, in the
// transaction that records it failed: a digest's incidents go back into
// the notifier's next digest. It returns how many things it kept.
type keeper interface {
	keep(tx *state.Tx, d state.Delivery) (int, error)
}

// giveUp records d failed for good, with what its target t (nil: none)
// keeps of it. A delivery given up is never tried again, whatever t keeps.
func (o *Outbox) giveUp(log *slog.Logger, d state.Delivery, reason string, t target) {
	kept, err := o.markFailed(d, reason, t)
	if err != nil && !errors.Is(err, state.ErrConflict) {
		log.Error("cannot record a failed delivery", "key", d.Key, "err", err)
		return
	}
	o.update(d, true)
	o.obs.Delivery(d.Notifier, deliveryFailed)
	log.Error("delivery failed for good", "key", d.Key, "reason", reason)
	if kept > 0 {
		log.Warn("the incidents of the failed digest go into the next digest", "key", d.Key, "incidents", kept)
	}
}

// markFailed records d failed and what t keeps of it, in one transaction.
// When t cannot keep it, d is recorded failed all the same: trying it
// again, or keeping it, would not make it go.
func (o *Outbox) markFailed(d state.Delivery, reason string, t target) (int, error) {
	k, ok := t.(keeper)
	if !ok {
		return 0, o.store.MarkFailed(d.Key, reason)
	}
	kept := 0
	var keepErr error
	err := o.store.Update(func(tx *state.Tx) error {
		cur, found, err := tx.GetDelivery(d.Key)
		if err != nil {
			return err
		}
		if err := tx.MarkFailed(d.Key, reason); err != nil {
			return err
		}
		if found && cur.State == state.DeliveryPending { // keep it once
			kept, keepErr = k.keep(tx, d)
		}
		return keepErr
	})
	if keepErr != nil {
		o.log.Error("cannot keep what a failed delivery carried; it is lost",
			"notifier", d.Notifier, "key", d.Key, "err", keepErr)
		return 0, o.store.MarkFailed(d.Key, reason)
	}
	return kept, err
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

func (t alertTarget) prober(state.Delivery) (notifiers.Prober, bool) { return notifiers.AsProber(t.n) }
