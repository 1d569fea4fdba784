package state

import (
	"fmt"
	"time"
)

// RuleState is what the store keeps per rule between runs.
type RuleState struct {
	// LastJudged is the start of the last bucket the rule judged; the next
	// run starts after it, so a restart neither skips nor repeats a bucket.
	LastJudged time.Time `json:"last_judged,omitzero"`
	// Failures tracks consecutive failed runs for the "rule is failing" alert.
	Failures RuleFailures `json:"failures,omitzero"`
	// SnoozedUntil holds every notification of the rule until then.
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
}

// RuleFailures counts a rule's consecutive failed runs.
type RuleFailures struct {
	Count     int       `json:"count,omitempty"`
	Since     time.Time `json:"since,omitzero"` // time of the first failure in the streak
	LastError string    `json:"last_error,omitempty"`
	Notified  bool      `json:"notified,omitempty"` // the owner was told the rule is failing
}

// Rule returns the stored state of rule.
func (tx *Tx) Rule(rule string) (RuleState, bool, error) {
	var rs RuleState
	b, err := tx.bucket(bRules)
	if err != nil {
		return rs, false, err
	}
	ok, err := getJSON(b, []byte(rule), &rs)
	return rs, ok, err
}

// UpdateRule reads rule's state (zero if none), lets fn change it and
// stores it, in this transaction.
func (tx *Tx) UpdateRule(rule string, fn func(*RuleState) error) (RuleState, error) {
	if err := checkName("rule", rule, true); err != nil {
		return RuleState{}, err
	}
	rs, _, err := tx.Rule(rule)
	if err != nil {
		return rs, err
	}
	if err := fn(&rs); err != nil {
		return rs, err
	}
	b, err := tx.bucket(bRules)
	if err != nil {
		return rs, err
	}
	return rs, putJSON(b, []byte(rule), rs)
}

// DeleteRule forgets everything kept for rule except its incidents,
// deliveries and feedback, for a rule removed from the configuration.
func (tx *Tx) DeleteRule(rule string) error {
	b, err := tx.bucket(bRules)
	if err != nil {
		return err
	}
	return b.Delete([]byte(rule))
}

// LastJudged returns the start of the last bucket rule judged.
func (tx *Tx) LastJudged(rule string) (time.Time, bool, error) {
	rs, _, err := tx.Rule(rule)
	return rs.LastJudged, !rs.LastJudged.IsZero(), err
}

// SetLastJudged records that rule judged the bucket starting at t.
func (tx *Tx) SetLastJudged(rule string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("set last judged bucket of rule %q: time is zero", rule)
	}
	_, err := tx.UpdateRule(rule, func(rs *RuleState) error { rs.LastJudged = t; return nil })
	return err
}

// RuleFailures returns rule's current failure streak.
func (tx *Tx) RuleFailures(rule string) (RuleFailures, error) {
	rs, _, err := tx.Rule(rule)
	return rs.Failures, err
}

// RecordRuleFailure adds a failed run at the time at to rule's streak and
// returns the streak.
func (tx *Tx) RecordRuleFailure(rule, msg string, at time.Time) (RuleFailures, error) {
	rs, err := tx.UpdateRule(rule, func(rs *RuleState) error {
		if rs.Failures.Count == 0 {
			rs.Failures.Since = at
		}
		rs.Failures.Count++
		rs.Failures.LastError = msg
		return nil
	})
	return rs.Failures, err
}

// ClearRuleFailures ends rule's failure streak after a good run and
// returns the streak it ended: if its Notified is set, the owner was told
// the rule was failing and should now hear it recovered.
func (tx *Tx) ClearRuleFailures(rule string) (RuleFailures, error) {
	var prev RuleFailures
	rs, ok, err := tx.Rule(rule)
	if err != nil || !ok || rs.Failures.Count == 0 {
		return rs.Failures, err // nothing to clear: no write
	}
	_, err = tx.UpdateRule(rule, func(rs *RuleState) error {
		prev, rs.Failures = rs.Failures, RuleFailures{}
		return nil
	})
	return prev, err
}

// MarkRuleFailureNotified records that the owner was told rule is failing.
func (tx *Tx) MarkRuleFailureNotified(rule string) error {
	_, err := tx.UpdateRule(rule, func(rs *RuleState) error {
		if rs.Failures.Count == 0 {
			return fmt.Errorf("rule %q has no failure to notify about", rule)
		}
		rs.Failures.Notified = true
		return nil
	})
	return err
}

// SnoozeRule holds every notification of rule until the time until; a zero
// time ends the snooze.
func (tx *Tx) SnoozeRule(rule string, until time.Time) error {
	_, err := tx.UpdateRule(rule, func(rs *RuleState) error { rs.SnoozedUntil = until; return nil })
	return err
}

// Rules returns the state of every rule the store knows.
func (tx *Tx) Rules() (map[string]RuleState, error) {
	b, err := tx.bucket(bRules)
	if err != nil {
		return nil, err
	}
	out := map[string]RuleState{}
	err = b.ForEach(func(k, _ []byte) error {
		var rs RuleState
		_, err := getJSON(b, k, &rs)
		out[string(k)] = rs
		return err
	})
	return out, err
}
