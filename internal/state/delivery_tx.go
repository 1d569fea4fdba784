package state

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// Enqueue records d as pending, unless a delivery with its key exists: then
// it changes nothing and returns the existing record with created false.
// Enqueue sets Seq and State, and CreatedAt when it is zero.
func (tx *Tx) Enqueue(d Delivery) (Delivery, bool, error) {
	if err := d.check(); err != nil {
		return d, false, fmt.Errorf("enqueue delivery %q: %w", d.Key, err)
	}
	old, ok, err := tx.GetDelivery(d.Key)
	if err != nil || ok {
		return old, false, err
	}
	b, err := tx.bucket(bDeliveries)
	if err != nil {
		return d, false, err
	}
	if d.Seq, err = b.NextSequence(); err != nil {
		return d, false, err
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = tx.s.now()
	}
	d.State, d.Attempts, d.LastError = DeliveryPending, 0, ""
	d.LastAttemptAt, d.SentAt, d.FailedAt, d.Ref = time.Time{}, time.Time{}, time.Time{}, ""
	if err := putJSON(b, []byte(d.Key), d); err != nil {
		return d, false, err
	}
	if err := tx.put(bQueue, seqKey(d.Seq), []byte(d.Key)); err != nil {
		return d, false, err
	}
	if d.Incident != "" {
		err = tx.put(bDeliveryByInc, join([]byte(d.Incident), []byte(d.Key)), nil)
	}
	return d, true, err
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// put stores one key in a top-level bucket.
func (tx *Tx) put(bucket, key, value []byte) error {
	b, err := tx.bucket(bucket)
	if err != nil {
		return err
	}
	return b.Put(key, value)
}

// del removes one key from a top-level bucket.
func (tx *Tx) del(bucket, key []byte) error {
	b, err := tx.bucket(bucket)
	if err != nil {
		return err
	}
	return b.Delete(key)
}

// GetDelivery returns the delivery with the given key.
func (tx *Tx) GetDelivery(key string) (Delivery, bool, error) {
	var d Delivery
	b, err := tx.bucket(bDeliveries)
	if err != nil {
		return d, false, err
	}
	ok, err := getJSON(b, []byte(key), &d)
	return d, ok, err
}

// Pending returns up to limit pending deliveries (all if limit <= 0), in
// the order they were enqueued.
func (tx *Tx) Pending(limit int) ([]Delivery, error) {
	q, err := tx.bucket(bQueue)
	if err != nil {
		return nil, err
	}
	var out []Delivery
	c := q.Cursor()
	for k, key := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, key = c.Next() {
		d, ok, err := tx.GetDelivery(string(key))
		if err != nil {
			return out, err
		}
		if !ok {
			return out, fmt.Errorf("state file %s: queued delivery %q is missing", tx.s.path, key)
		}
		out = append(out, d)
	}
	return out, nil
}

// Deliveries returns every delivery recorded for incident, in the order
// they were enqueued.
func (tx *Tx) Deliveries(incident string) ([]Delivery, error) {
	idx, err := tx.bucket(bDeliveryByInc)
	if err != nil {
		return nil, err
	}
	var out []Delivery
	p := prefix(incident)
	c := idx.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		d, ok, err := tx.GetDelivery(string(k[len(p):]))
		if err != nil {
			return out, err
		}
		if ok {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// MarkAttempt records a try of a pending delivery that did not deliver it;
// err says why. The delivery stays pending.
func (tx *Tx) MarkAttempt(key string, err error) error {
	return tx.changeDelivery(key, "record attempt", DeliveryPending, func(d *Delivery) error {
		d.Attempts++
		d.LastAttemptAt = tx.s.now()
		d.LastError = ""
		if err != nil {
			d.LastError = err.Error()
		}
		return nil
	})
}

// MarkSent completes a delivery: the notifier accepted it at the time at
// and returned ref. Marking a sent delivery again changes nothing.
func (tx *Tx) MarkSent(key, ref string, at time.Time) error {
	return tx.finish(key, DeliverySent, "mark sent", func(d *Delivery) {
		d.Attempts++
		d.LastAttemptAt, d.SentAt, d.Ref = at, at, ref
	})
}

// MarkFailed gives a pending delivery up: it will not be tried again.
// Marking a failed delivery again changes nothing.
func (tx *Tx) MarkFailed(key, reason string) error {
	return tx.finish(key, DeliveryFailed, "mark failed", func(d *Delivery) {
		d.FailedAt, d.LastError = tx.s.now(), reason
	})
}

// finish moves a pending delivery to a final state, out of the queue.
func (tx *Tx) finish(key string, to DeliveryState, what string, set func(*Delivery)) error {
	return tx.changeDelivery(key, what, to, func(d *Delivery) error {
		set(d)
		d.State = to
		if err := checkTime("time", d.done()); err != nil {
			return err
		}
		if err := tx.del(bQueue, seqKey(d.Seq)); err != nil {
			return err
		}
		return tx.put(bDeliveriesDone, join(timeKey(d.done()), []byte(d.Key)), nil)
	})
}

// changeDelivery applies fn to a pending delivery. A delivery already in
// the final state to is left alone (the change is idempotent); one in the
// other final state is a conflict.
func (tx *Tx) changeDelivery(key, what string, to DeliveryState, fn func(*Delivery) error) error {
	d, ok, err := tx.GetDelivery(key)
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("%s: delivery %q: %w", what, key, ErrNotFound)
	case d.State == to && to != DeliveryPending:
		return nil
	case d.State != DeliveryPending:
		return fmt.Errorf("%s: delivery %q is already %s: %w", what, key, d.State, ErrConflict)
	}
	if err := fn(&d); err != nil {
		return fmt.Errorf("%s: delivery %q: %w", what, key, err)
	}
	b, err := tx.bucket(bDeliveries)
	if err != nil {
		return err
	}
	return putJSON(b, []byte(key), d)
}

// deleteDelivery removes a finished delivery and its index entries.
func (tx *Tx) deleteDelivery(d Delivery) error {
	if err := tx.del(bDeliveries, []byte(d.Key)); err != nil {
		return err
	}
	if err := tx.del(bDeliveriesDone, join(timeKey(d.done()), []byte(d.Key))); err != nil {
		return err
	}
	if d.Incident == "" {
		return nil
	}
	return tx.del(bDeliveryByInc, join([]byte(d.Incident), []byte(d.Key)))
}
