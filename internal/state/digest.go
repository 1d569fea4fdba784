package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// DigestItem is one incident collected for a notifier's next digest in one
// channel. Payload is what the notifier lists it from, as the engine wrote
// it; the store does not read it.
type DigestItem struct {
	Notifier string          `json:"notifier"`
	Channel  string          `json:"channel"`
	Incident string          `json:"incident"`
	Payload  json.RawMessage `json:"payload"`
}

// DigestFlush is what FlushDigest took out of the store for one notifier.
type DigestFlush struct {
	// Seq numbers the notifier's flushes from 1, so that each flush's
	// deliveries get keys of their own.
	Seq uint64
	// Since is when the notifier flushed before; zero the first time.
	Since time.Time
	// Items are what was collected, by channel, then incident.
	Items []DigestItem
}

// digestState is a notifier's record in the digests bucket.
type digestState struct {
	Since   time.Time `json:"since,omitzero"`
	Flushes uint64    `json:"flushes"`
}

func digestKey(notifier, channel, incident string) ([]byte, error) {
	for _, p := range [][2]string{{"notifier", notifier}, {"channel", channel}, {"incident", incident}} {
		if err := checkName(p[0], p[1], true); err != nil {
			return nil, err
		}
	}
	return join([]byte(notifier), []byte(channel), []byte(incident)), nil
}

// CollectDigest records the incident for the notifier's next digest in
// channel. merge gets what was collected for it so far (nil the first
// time) and returns the new payload. Call it in the transaction that
// enqueues the incident's deliveries, so that the digest holds exactly
// the events that happened.
func (tx *Tx) CollectDigest(notifier, channel, incident string, merge func(old json.RawMessage) (json.RawMessage, error)) error {
	key, err := digestKey(notifier, channel, incident)
	if err != nil {
		return fmt.Errorf("collect for the digest: %w", err)
	}
	b, err := tx.bucket(bDigestItems)
	if err != nil {
		return err
	}
	var it DigestItem
	if _, err := getJSON(b, key, &it); err != nil {
		return err
	}
	payload, err := merge(it.Payload)
	if err != nil {
		return fmt.Errorf("collect %s for the digest of %s: %w", incident, notifier, err)
	}
	if err := checkRaw("payload", payload); err != nil {
		return fmt.Errorf("collect %s for the digest of %s: %w", incident, notifier, err)
	}
	it = DigestItem{Notifier: notifier, Channel: channel, Incident: incident, Payload: payload}
	return putJSON(b, key, it)
}

// DigestItems returns what the notifier collected for its next digest, by
// channel, then incident.
func (tx *Tx) DigestItems(notifier string) ([]DigestItem, error) {
	if err := checkName("notifier", notifier, true); err != nil {
		return nil, err
	}
	b, err := tx.bucket(bDigestItems)
	if err != nil {
		return nil, err
	}
	var out []DigestItem
	p := prefix(notifier)
	c := b.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		var it DigestItem
		if err := json.Unmarshal(v, &it); err != nil {
			return out, fmt.Errorf("decode %s %q: %w", tx.s.path, k, err)
		}
		out = append(out, it)
	}
	return out, nil
}

// FlushDigest takes out everything the notifier collected, and records at
// as its last flush. Enqueue the digest's deliveries in the same
// transaction: then a digest is either still collected or pending in the
// outbox, whatever stops the process.
func (tx *Tx) FlushDigest(notifier string, at time.Time) (DigestFlush, error) {
	var f DigestFlush
	if err := checkTime("flush time", at); err != nil {
		return f, fmt.Errorf("flush the digest of %s: %w", notifier, err)
	}
	items, err := tx.DigestItems(notifier)
	if err != nil {
		return f, err
	}
	for _, it := range items {
		key, err := digestKey(it.Notifier, it.Channel, it.Incident)
		if err != nil {
			return f, err
		}
		if err := tx.del(bDigestItems, key); err != nil {
			return f, err
		}
	}
	flushes, since, err := tx.DigestFlushes(notifier)
	if err != nil {
		return f, err
	}
	f = DigestFlush{Seq: flushes + 1, Since: since, Items: items}
	b, err := tx.bucket(bDigests)
	if err != nil {
		return f, err
	}
	return f, putJSON(b, []byte(notifier), digestState{Since: at, Flushes: f.Seq})
}

// DigestFlushes returns how many times the notifier's digest was flushed,
// and when last (zero: never).
func (tx *Tx) DigestFlushes(notifier string) (uint64, time.Time, error) {
	b, err := tx.bucket(bDigests)
	if err != nil {
		return 0, time.Time{}, err
	}
	var st digestState
	_, err = getJSON(b, []byte(notifier), &st)
	return st.Flushes, st.Since, err
}

// DigestFlushes returns how many times the notifier's digest was flushed.
func (s *Store) DigestFlushes(notifier string) (uint64, error) {
	return view(s, func(tx *Tx) (uint64, error) {
		n, _, err := tx.DigestFlushes(notifier)
		return n, err
	})
}

// DigestItems returns what the notifier collected for its next digest.
func (s *Store) DigestItems(notifier string) ([]DigestItem, error) {
	return view(s, func(tx *Tx) ([]DigestItem, error) { return tx.DigestItems(notifier) })
}
