package state

import (
	"testing"
	"time"
)

func TestPrune(t *testing.T) {
	s := newStore(t)
	day := 24 * time.Hour
	now := t0.Add(200 * day)
	cut := now.Add(-DefaultRetention)

	// 1,500 old resolved incidents (more than one pruning batch), one
	// recent, one old but still open.
	must(t, s.Update(func(tx *Tx) error {
		for i := range 1500 {
			inc := firing("orders", "", t0.Add(time.Duration(i)*time.Hour))
			inc.State, inc.ResolvedAt = Resolved, inc.Start.Add(time.Hour)
			if err := tx.PutIncident(&inc); err != nil {
				return err
			}
		}
		recent := firing("orders", "", now.Add(-day))
		recent.State, recent.ResolvedAt = Resolved, now.Add(-day)
		if err := tx.PutIncident(&recent); err != nil {
			return err
		}
		open := firing("signups", "", t0)
		return tx.PutIncident(&open)
	}))
	// Deliveries: old sent, old failed, old pending, recent sent.
	for i, c := range []struct {
		finish string
		at     time.Time
	}{{"sent", t0}, {"failed", t0}, {"", t0}, {"sent", now}} {
		d := delivery("inc", EventOpen, i, "growth")
		_, _, err := s.Enqueue(d)
		must(t, err)
		switch c.finish {
		case "sent":
			must(t, s.MarkSent(d.Key, "", c.at))
		case "failed":
			must(t, s.MarkFailed(d.Key, "gone")) // the clock says t0
		}
	}
	must(t, s.AddFeedback(Feedback{Rule: "orders", Start: t0, End: t0.Add(time.Hour), Kind: Confirmed}))
	must(t, s.SetLastJudged("orders", t0))

	p, err := s.Prune(cut)
	must(t, err)
	if p.Incidents != 1500 || p.Deliveries != 2 {
		t.Errorf("Prune = %+v, want 1500 incidents and 2 deliveries", p)
	}
	list, _ := s.ListIncidents(IncidentFilter{})
	if len(list) != 2 {
		t.Errorf("%d incidents left, want the recent and the open one", len(list))
	}
	if l, _ := s.ListIncidents(IncidentFilter{Rule: "orders"}); len(l) != 1 {
		t.Errorf("by-rule index holds %d orders incidents, want 1", len(l))
	}
	ds, _ := s.Deliveries("inc")
	if len(ds) != 2 || ds[0].State != DeliveryPending || ds[1].State != DeliverySent {
		t.Errorf("deliveries left = %+v, want the pending and the recent sent one", ds)
	}
	if fb, _ := s.Feedback("orders", time.Time{}, time.Time{}); len(fb) != 1 {
		t.Errorf("Prune removed feedback: %d left", len(fb))
	}
	if _, ok, _ := s.LastJudged("orders"); !ok {
		t.Error("Prune removed rule progress")
	}
	if p, _ := s.Prune(cut); p != (Pruned{}) {
		t.Errorf("second Prune = %+v, want nothing", p)
	}
}
