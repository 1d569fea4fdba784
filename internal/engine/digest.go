package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"vigil/internal/state"
	"vigil/notifiers"
	"vigil/notifiers/slack"
)

// This file keeps Slack digests in the state store and sends them through
// the outbox, so that they get its guarantees. Each event enqueued for a
// notifier with a digest is also collected for the digest, in the same
// transaction (collect). On the digest's schedule one transaction takes
// the collection out and enqueues one delivery per channel (flushDigest);
// the outbox posts it with its key in the message, and a delivery found
// pending after a crash is first looked for in the channel (slackTarget's
// prober). A restart thus finds each incident either still collected or
// in a pending digest, and a digest that was posted is not posted again.

// storedItem is a slack.DigestItem as JSON.
type storedItem struct {
	Alert    json.RawMessage `json:"alert"`
	First    time.Time       `json:"first"`
	Worst    jsonFloat       `json:"worst"`
	Resolved bool            `json:"resolved,omitempty"`
}

// storedDigest is the payload of a digest delivery.
type storedDigest struct {
	Channel string            `json:"channel"`
	Since   time.Time         `json:"since,omitzero"`
	Until   time.Time         `json:"until"`
	Items   []json.RawMessage `json:"items"`
}

func encodeItem(it slack.DigestItem) (json.RawMessage, error) {
	a := it.Alert
	a.Explanation = nil // a digest lists the move, not its reasons
	raw, err := encodeAlert(a)
	if err != nil {
		return nil, err
	}
	return json.Marshal(storedItem{Alert: raw, First: it.First, Worst: jsonFloat(it.Worst), Resolved: it.Resolved})
}

func decodeItem(raw json.RawMessage) (slack.DigestItem, error) {
	var s storedItem
	if err := json.Unmarshal(raw, &s); err != nil {
		return slack.DigestItem{}, fmt.Errorf("decode digest item: %w", err)
	}
	a, err := decodeAlert(s.Alert)
	if err != nil {
		return slack.DigestItem{}, fmt.Errorf("decode digest item: %w", err)
	}
	return slack.DigestItem{Alert: a, First: s.First.In(a.Location), Worst: float64(s.Worst), Resolved: s.Resolved}, nil
}

func decodeDigest(raw json.RawMessage) (slack.Digest, error) {
	var s storedDigest
	if err := json.Unmarshal(raw, &s); err != nil {
		return slack.Digest{}, fmt.Errorf("decode digest: %w", err)
	}
	d := slack.Digest{Channel: s.Channel, Since: s.Since, Until: s.Until}
	for _, raw := range s.Items {
		it, err := decodeItem(raw)
		if err != nil {
			return d, err
		}
		d.Items = append(d.Items, it)
	}
	return d, nil
}

// digestOf returns the Slack notifier called name when it has a digest.
func (e *Engine) digestOf(name string) *slack.Notifier {
	for _, s := range e.slack {
		if s.name == name && s.digest {
			return s.notifier
		}
	}
	return nil
}

// collect adds a to the next digest of the notifier called name, when it
// has one.
func (j *judgement) collect(name string, a notifiers.Alert) error {
	n := j.e.digestOf(name)
	if n == nil {
		return nil
	}
	ch, err := n.DigestChannel(a)
	if err != nil {
		return nil // the alert's own delivery fails with this error, where it shows
	}
	return j.tx.CollectDigest(name, ch, a.ID, func(old json.RawMessage) (json.RawMessage, error) {
		var it slack.DigestItem
		if old != nil {
			var err error
			if it, err = decodeItem(old); err != nil {
				return nil, err
			}
		}
		it.Add(a)
		return encodeItem(it)
	})
}

// flushDigest takes out what the notifier called name collected and
// enqueues its digests, one per channel, as of now, in one transaction;
// then it hands them to the outbox. It returns how many it enqueued.
func (e *Engine) flushDigest(name string, now time.Time) (int, error) {
	var created []state.Delivery
	err := e.store.Update(func(tx *state.Tx) error {
		created = nil
		f, err := tx.FlushDigest(name, now)
		if err != nil {
			return err
		}
		byChannel := map[string][]json.RawMessage{}
		var channels []string
		for _, it := range f.Items {
			if byChannel[it.Channel] == nil {
				channels = append(channels, it.Channel)
			}
			byChannel[it.Channel] = append(byChannel[it.Channel], it.Payload)
		}
		for _, ch := range channels {
			payload, err := json.Marshal(storedDigest{Channel: ch, Since: f.Since, Until: now, Items: byChannel[ch]})
			if err != nil {
				return fmt.Errorf("encode digest: %w", err)
			}
			d := state.Delivery{Key: state.DeliveryKey("digest:"+name+"/"+ch, state.EventDigest, int(f.Seq), name),
				Notifier: name, Event: state.EventDigest, Payload: payload, CreatedAt: now}
			d, ok, err := tx.Enqueue(d)
			if err != nil {
				return err
			}
			if !ok { // flush numbers never repeat: the file was tampered with
				return fmt.Errorf("digest delivery %s exists already", d.Key)
			}
			created = append(created, d)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("flush the digest of %s: %w", name, err)
	}
	if len(created) > 0 && e.outbox != nil {
		e.outbox.Add(created...)
	}
	return len(created), nil
}

// pruneDigests deletes what was collected for the digests of notifiers
// that e does not run with a digest (removed from the config, or their
// digest turned off): nothing would ever post it.
func pruneDigests(store *state.Store, e *Engine, log *slog.Logger) {
	dropped, err := store.PruneDigests(func(name string) bool { return e.digestOf(name) != nil })
	if err != nil {
		log.Error("cannot prune the digest items of notifiers no longer configured", "err", err)
	}
	for _, name := range slices.Sorted(maps.Keys(dropped)) {
		log.Info("dropped the digest items of a notifier no longer configured with a digest",
			"notifier", name, "items", dropped[name])
	}
}

// slackTarget sends a Slack notifier's deliveries: alerts through alert
// (nil when no rule notifies it now), digests itself. digest says whether
// the notifier collects digests now.
type slackTarget struct {
	alert  target
	n      *slack.Notifier
	digest bool
}

func (t slackTarget) send(ctx context.Context, d state.Delivery) (bool, error) {
	if d.Event != state.EventDigest {
		if t.alert == nil {
			return false, notifiers.Permanent(errors.New("no rule notifies it any more"))
		}
		return t.alert.send(ctx, d)
	}
	dg, err := decodeDigest(d.Payload)
	if err != nil {
		return false, notifiers.Permanent(err)
	}
	dg.Key = d.Key
	ctx, cancel := context.WithTimeout(ctx, slackTimeout)
	defer cancel()
	return t.n.PostDigest(ctx, dg)
}

func (t slackTarget) prober(d state.Delivery) (notifiers.Prober, bool) {
	if d.Event != state.EventDigest {
		if t.alert == nil {
			return nil, false
		}
		return t.alert.prober(d)
	}
	dg, err := decodeDigest(d.Payload)
	if err != nil {
		return nil, false
	}
	return digestProber{n: t.n, channel: dg.Channel}, true
}

// keep puts the incidents of the digest d, which Slack refused for good
// (its channel is gone, say) or which failed too many times, back into the
// notifier's next digest, each in the channel its alert goes to now, so
// that a digest after the fix lists them. It runs in the transaction that
// records d failed; the next flush, on the digest's schedule, is the next
// try. It returns how many incidents it put back.
func (t slackTarget) keep(tx *state.Tx, d state.Delivery) (int, error) {
	if d.Event != state.EventDigest || !t.digest {
		return 0, nil
	}
	var sd storedDigest
	if err := json.Unmarshal(d.Payload, &sd); err != nil {
		return 0, fmt.Errorf("decode digest: %w", err)
	}
	for _, raw := range sd.Items {
		it, err := decodeItem(raw)
		if err != nil {
			return 0, err
		}
		ch := sd.Channel
		if now, err := t.n.DigestChannel(it.Alert); err == nil {
			ch = now
		}
		err = tx.CollectDigest(d.Notifier, ch, it.Alert.ID, func(later json.RawMessage) (json.RawMessage, error) {
			if later == nil {
				return raw, nil
			}
			since, err := decodeItem(later)
			if err != nil {
				return nil, err
			}
			merged := it
			merged.Merge(since)
			return encodeItem(merged)
		})
		if err != nil {
			return 0, err
		}
	}
	return len(sd.Items), nil
}

// digestProber asks Slack whether a digest was posted in its channel.
type digestProber struct {
	n       *slack.Notifier
	channel string
}

func (p digestProber) Delivered(ctx context.Context, key string) (bool, error) {
	return p.n.DigestPosted(ctx, p.channel, key)
}

// digestOnly is the notifier of a Slack notifier with digest_only: alerts
// go only into the digest, which the engine collects as it enqueues them.
type digestOnly struct{}

func (digestOnly) Notify(context.Context, notifiers.Alert) (bool, error) { return false, nil }
