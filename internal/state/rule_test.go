package state

import (
	"strings"
	"testing"
	"time"
)

func TestLastJudged(t *testing.T) {
	s := newStore(t)
	if _, ok, err := s.LastJudged("orders"); ok || err != nil {
		t.Errorf("LastJudged(new rule) = %v, %v; want none", ok, err)
	}
	must(t, s.SetLastJudged("orders", t0))
	must(t, s.SetLastJudged("orders", t0.Add(time.Hour)))
	must(t, s.SetLastJudged("signups", t0.Add(-time.Hour)))
	if err := s.SetLastJudged("orders", time.Time{}); err == nil {
		t.Error("SetLastJudged(zero time) succeeded")
	}
	if err := s.SetLastJudged("", t0); err == nil || !strings.Contains(err.Error(), "rule is empty") {
		t.Errorf("SetLastJudged(no rule) = %v", err)
	}
	s = reopen(t, s)
	for rule, want := range map[string]time.Time{"orders": t0.Add(time.Hour), "signups": t0.Add(-time.Hour)} {
		got, ok, err := s.LastJudged(rule)
		if err != nil || !ok || !got.Equal(want) {
			t.Errorf("LastJudged(%s) = %v, %v, %v; want %v", rule, got, ok, err, want)
		}
	}
	rules, err := s.Rules()
	if err != nil || len(rules) != 2 {
		t.Errorf("Rules() = %d rules, %v; want 2", len(rules), err)
	}
	must(t, s.DeleteRule("signups"))
	if _, ok, _ := s.LastJudged("signups"); ok {
		t.Error("LastJudged after DeleteRule still finds the rule")
	}
}

func TestRuleFailures(t *testing.T) {
	s := newStore(t)
	if err := s.MarkRuleFailureNotified("orders"); err == nil {
		t.Error("MarkRuleFailureNotified without a failure succeeded")
	}
	for i := range 3 {
		f, err := s.RecordRuleFailure("orders", "query timeout", t0.Add(time.Duration(i)*time.Hour))
		must(t, err)
		if f.Count != i+1 || !f.Since.Equal(t0) {
			t.Errorf("after failure %d: count %d since %v, want %d since %v", i+1, f.Count, f.Since, i+1, t0)
		}
	}
	must(t, s.MarkRuleFailureNotified("orders"))
	must(t, s.SetLastJudged("orders", t0)) // other fields survive
	f, err := s.RuleFailures("orders")
	must(t, err)
	if f.Count != 3 || !f.Notified || f.LastError != "query timeout" {
		t.Errorf("RuleFailures = %+v, want 3, notified, last error", f)
	}
	prev, err := s.ClearRuleFailures("orders")
	must(t, err)
	if prev.Count != 3 || !prev.Notified {
		t.Errorf("ClearRuleFailures returned %+v, want the ended streak", prev)
	}
	if f, _ := s.RuleFailures("orders"); f.Count != 0 || f.Notified {
		t.Errorf("RuleFailures after clearing = %+v, want zero", f)
	}
	if prev, _ := s.ClearRuleFailures("orders"); prev.Count != 0 {
		t.Errorf("second ClearRuleFailures = %+v, want zero", prev)
	}
	if got, _, _ := s.LastJudged("orders"); !got.Equal(t0) {
		t.Errorf("LastJudged lost by failure bookkeeping: %v", got)
	}
}

func TestSnoozeRule(t *testing.T) {
	s := newStore(t)
	must(t, s.SetLastJudged("orders", t0))
	must(t, s.SnoozeRule("orders", t0.Add(24*time.Hour)))
	rs, ok, err := s.Rule("orders")
	if err != nil || !ok || !rs.SnoozedUntil.Equal(t0.Add(24*time.Hour)) || !rs.LastJudged.Equal(t0) {
		t.Errorf("Rule after SnoozeRule = %+v, %v, %v", rs, ok, err)
	}
	must(t, s.SnoozeRule("orders", time.Time{}))
	if rs, _, _ := s.Rule("orders"); !rs.SnoozedUntil.IsZero() {
		t.Errorf("SnoozedUntil after unsnooze = %v", rs.SnoozedUntil)
	}
}
