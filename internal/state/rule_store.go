package state

import "time"

// Rule returns the stored state of rule.
func (s *Store) Rule(rule string) (RuleState, bool, error) {
	return lookup(s, func(tx *Tx) (RuleState, bool, error) { return tx.Rule(rule) })
}

// UpdateRule changes rule's state in one transaction; see Tx.UpdateRule.
func (s *Store) UpdateRule(rule string, fn func(*RuleState) error) (RuleState, error) {
	return update(s, func(tx *Tx) (RuleState, error) { return tx.UpdateRule(rule, fn) })
}

// DeleteRule forgets rule's progress, failures and snooze.
func (s *Store) DeleteRule(rule string) error {
	return s.Update(func(tx *Tx) error { return tx.DeleteRule(rule) })
}

// Rules returns the state of every rule the store knows.
func (s *Store) Rules() (map[string]RuleState, error) {
	return view(s, func(tx *Tx) (map[string]RuleState, error) { return tx.Rules() })
}

// LastJudged returns the start of the last bucket rule judged.
func (s *Store) LastJudged(rule string) (time.Time, bool, error) {
	return lookup(s, func(tx *Tx) (time.Time, bool, error) { return tx.LastJudged(rule) })
}

// SetLastJudged records that rule judged the bucket starting at t.
func (s *Store) SetLastJudged(rule string, t time.Time) error {
	return s.Update(func(tx *Tx) error { return tx.SetLastJudged(rule, t) })
}

// RuleFailures returns rule's current failure streak.
func (s *Store) RuleFailures(rule string) (RuleFailures, error) {
	return view(s, func(tx *Tx) (RuleFailures, error) { return tx.RuleFailures(rule) })
}

// RecordRuleFailure adds a failed run to rule's streak; see
// Tx.RecordRuleFailure.
func (s *Store) RecordRuleFailure(rule, msg string, at time.Time) (RuleFailures, error) {
	return update(s, func(tx *Tx) (RuleFailures, error) { return tx.RecordRuleFailure(rule, msg, at) })
}

// ClearRuleFailures ends rule's failure streak; see Tx.ClearRuleFailures.
func (s *Store) ClearRuleFailures(rule string) (RuleFailures, error) {
	return update(s, func(tx *Tx) (RuleFailures, error) { return tx.ClearRuleFailures(rule) })
}

// MarkRuleFailureNotified records that the owner was told rule is failing.
func (s *Store) MarkRuleFailureNotified(rule string) error {
	return s.Update(func(tx *Tx) error { return tx.MarkRuleFailureNotified(rule) })
}

// SnoozeRule holds every notification of rule until the time until.
func (s *Store) SnoozeRule(rule string, until time.Time) error {
	return s.Update(func(tx *Tx) error { return tx.SnoozeRule(rule, until) })
}
