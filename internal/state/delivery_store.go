package state

import "time"

// Enqueue records d as pending in its own transaction; see Tx.Enqueue. To
// record deliveries together with the incident change that causes them,
// call Tx.Enqueue and Tx.PutIncident inside one Update.
func (s *Store) Enqueue(d Delivery) (Delivery, bool, error) {
	var (
		out     Delivery
		created bool
	)
	err := s.Update(func(tx *Tx) error {
		var err error
		out, created, err = tx.Enqueue(d)
		return err
	})
	return out, created, err
}

// GetDelivery returns the delivery with the given key.
func (s *Store) GetDelivery(key string) (Delivery, bool, error) {
	return lookup(s, func(tx *Tx) (Delivery, bool, error) { return tx.GetDelivery(key) })
}

// Pending returns up to limit pending deliveries (all if limit <= 0), in
// the order they were enqueued.
func (s *Store) Pending(limit int) ([]Delivery, error) {
	return view(s, func(tx *Tx) ([]Delivery, error) { return tx.Pending(limit) })
}

// Deliveries returns every delivery recorded for incident, oldest first.
func (s *Store) Deliveries(incident string) ([]Delivery, error) {
	return view(s, func(tx *Tx) ([]Delivery, error) { return tx.Deliveries(incident) })
}

// MarkAttempt records a try that did not deliver; see Tx.MarkAttempt.
func (s *Store) MarkAttempt(key string, err error) error {
	return s.Update(func(tx *Tx) error { return tx.MarkAttempt(key, err) })
}

// MarkSent completes a delivery; see Tx.MarkSent.
func (s *Store) MarkSent(key, ref string, at time.Time) error {
	return s.Update(func(tx *Tx) error { return tx.MarkSent(key, ref, at) })
}

// MarkFailed gives a delivery up; see Tx.MarkFailed.
func (s *Store) MarkFailed(key, reason string) error {
	return s.Update(func(tx *Tx) error { return tx.MarkFailed(key, reason) })
}
