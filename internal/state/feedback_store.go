package state

import "time"

// AddFeedback records a verdict on a span; see Tx.AddFeedback.
func (s *Store) AddFeedback(f Feedback) error {
	return s.Update(func(tx *Tx) error { return tx.AddFeedback(f) })
}

// SetFeedback records a verdict on an incident; see Tx.SetFeedback.
func (s *Store) SetFeedback(id, kind, by string, at time.Time, bucketEnd func(time.Time) time.Time) (Incident, error) {
	return update(s, func(tx *Tx) (Incident, error) { return tx.SetFeedback(id, kind, by, at, bucketEnd) })
}

// Feedback returns rule's verdicts on spans that overlap [from, to).
func (s *Store) Feedback(rule string, from, to time.Time) ([]Feedback, error) {
	return view(s, func(tx *Tx) ([]Feedback, error) { return tx.Feedback(rule, from, to) })
}

// ExcludedRanges returns the spans rule's baselines should skip; see
// Tx.ExcludedRanges.
func (s *Store) ExcludedRanges(rule string, from, to time.Time, notAnomaly bool) ([]Range, error) {
	return view(s, func(tx *Tx) ([]Range, error) { return tx.ExcludedRanges(rule, from, to, notAnomaly) })
}
