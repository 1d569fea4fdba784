package state

import (
	"bytes"
	"time"
)

// pruneBatch bounds the records one pruning transaction deletes, so that a
// large prune never holds the writer lock for long.
const pruneBatch = 1000

// Pruned counts what Prune deleted.
type Pruned struct {
	Incidents  int
	Deliveries int
}

// Prune deletes incidents resolved before olderThan and deliveries sent or
// given up before it, in short transactions. Unresolved incidents, pending
// deliveries, rule progress and feedback are kept whatever their age:
// feedback is small and baselines may look back further than the
// retention. A daemon calls it with now.Add(-DefaultRetention) or the
// operator's retention, say once a day.
func (s *Store) Prune(olderThan time.Time) (Pruned, error) {
	var p Pruned
	if err := checkTime("prune cutoff", olderThan); err != nil {
		return p, err
	}
	cut := timeKey(olderThan)
	steps := []struct {
		prune func(*Tx, []byte) (deleted, scanned int, err error)
		count *int
	}{
		{(*Tx).pruneIncidents, &p.Incidents},
		{(*Tx).pruneDeliveries, &p.Deliveries},
	}
	for _, st := range steps {
		for scanned := pruneBatch; scanned == pruneBatch; {
			var deleted int
			err := s.Update(func(tx *Tx) error {
				var err error
				deleted, scanned, err = st.prune(tx, cut)
				return err
			})
			if err != nil {
				return p, err
			}
			*st.count += deleted
		}
	}
	return p, nil
}

// expired returns up to pruneBatch keys of a time index that sort before
// cut, with the time prefix and separator removed.
func (tx *Tx) expired(index, cut []byte) ([][]byte, error) {
	b, err := tx.bucket(index)
	if err != nil {
		return nil, err
	}
	var ids [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(ids) < pruneBatch && bytes.Compare(k[:8], cut) < 0; k, _ = c.Next() {
		ids = append(ids, bytes.Clone(k))
	}
	return ids, nil
}

func (tx *Tx) pruneIncidents(cut []byte) (deleted, scanned int, err error) {
	keys, err := tx.expired(bResolved, cut)
	for _, k := range keys {
		inc, ok, err := tx.GetIncident(string(k[9:]))
		switch {
		case err != nil:
			return deleted, len(keys), err
		case !ok || inc.State != Resolved:
			err = tx.del(bResolved, k) // a stale index entry
		default:
			err = tx.deleteIncident(inc)
			deleted++
		}
		if err != nil {
			return deleted, len(keys), err
		}
	}
	return deleted, len(keys), err
}

func (tx *Tx) pruneDeliveries(cut []byte) (deleted, scanned int, err error) {
	keys, err := tx.expired(bDeliveriesDone, cut)
	for _, k := range keys {
		d, ok, err := tx.GetDelivery(string(k[9:]))
		switch {
		case err != nil:
			return deleted, len(keys), err
		case !ok || d.State == DeliveryPending:
			err = tx.del(bDeliveriesDone, k) // a stale index entry
		default:
			err = tx.deleteDelivery(d)
			deleted++
		}
		if err != nil {
			return deleted, len(keys), err
		}
	}
	return deleted, len(keys), err
}

// PruneDigests deletes what was collected for the digests of notifiers
// that keep refuses (no longer configured, or configured without a
// digest), which nothing would ever flush, and returns how many items it
// deleted per notifier. It keeps their flush counts, so that a notifier
// added again never reuses a digest delivery key.
func (s *Store) PruneDigests(keep func(notifier string) bool) (map[string]int, error) {
	dropped := map[string]int{}
	for scanned := pruneBatch; scanned == pruneBatch; {
		err := s.Update(func(tx *Tx) error {
			var err error
			scanned, err = tx.pruneDigests(keep, dropped)
			return err
		})
		if err != nil {
			return dropped, err
		}
	}
	return dropped, nil
}

// pruneDigests deletes up to pruneBatch digest items of notifiers keep
// refuses, counting them in dropped; it returns how many it deleted.
func (tx *Tx) pruneDigests(keep func(string) bool, dropped map[string]int) (int, error) {
	b, err := tx.bucket(bDigestItems)
	if err != nil {
		return 0, err
	}
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(keys) < pruneBatch; {
		notifier, _, _ := bytes.Cut(k, []byte{sep})
		if keep(string(notifier)) { // skip the notifier's items
			k, _ = c.Seek(append(bytes.Clone(notifier), sep+1))
			continue
		}
		keys = append(keys, bytes.Clone(k))
		dropped[string(notifier)]++
		k, _ = c.Next()
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
