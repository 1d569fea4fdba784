package state

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse runs writers and readers from many goroutines at once
// (run with -race). Every read-modify-write goes through one transaction,
// so no increment is lost.
func TestConcurrentUse(t *testing.T) {
	s := newStore(t)
	shared := firing("orders", "", t0)
	must(t, s.PutIncident(&shared))
	const workers, rounds = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*2)
	for w := range workers {
		wg.Add(2)
		go func() { // writer
			defer wg.Done()
			errs <- concurrentWriter(s, shared.ID, w, rounds)
		}()
		go func() { // reader
			defer wg.Done()
			errs <- concurrentReader(s, rounds)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	inc, _, err := s.GetIncident(shared.ID)
	must(t, err)
	if inc.Notifications != workers*rounds {
		t.Errorf("Notifications = %d after %d increments", inc.Notifications, workers*rounds)
	}
	ds, err := s.Deliveries(shared.ID)
	must(t, err)
	if len(ds) != workers*rounds {
		t.Errorf("%d deliveries, want %d", len(ds), workers*rounds)
	}
	for _, d := range ds {
		if d.State != DeliverySent {
			t.Errorf("delivery %s is %s, want sent", d.Key, d.State)
		}
	}
	for w := range workers {
		got, _, _ := s.LastJudged(fmt.Sprintf("rule-%d", w))
		if want := t0.Add(rounds * time.Hour); !got.Equal(want) {
			t.Errorf("LastJudged(rule-%d) = %v, want %v", w, got, want)
		}
	}
}

func concurrentWriter(s *Store, id string, w, rounds int) error {
	for i := 1; i <= rounds; i++ {
		key := DeliveryKey(id, EventUpdate, w*1000+i, "growth")
		err := s.Update(func(tx *Tx) error {
			if _, err := tx.UpdateIncident(id, func(inc *Incident) error { inc.Notifications++; return nil }); err != nil {
				return err
			}
			_, _, err := tx.Enqueue(Delivery{Key: key, Incident: id, Notifier: "growth", Event: EventUpdate})
			return err
		})
		if err != nil {
			return err
		}
		if err := s.MarkSent(key, "ts", t0); err != nil {
			return err
		}
		if err := s.SetLastJudged(fmt.Sprintf("rule-%d", w), t0.Add(time.Duration(i)*time.Hour)); err != nil {
			return err
		}
	}
	return nil
}

func concurrentReader(s *Store, rounds int) error {
	for range rounds {
		if _, err := s.ListIncidents(IncidentFilter{Rule: "orders"}); err != nil {
			return err
		}
		if _, err := s.Pending(10); err != nil {
			return err
		}
		// A view sees one snapshot: the counter and the deliveries agree.
		err := s.View(func(tx *Tx) error {
			inc, _, err := tx.GetIncident(IncidentID("orders", "", t0))
			if err != nil {
				return err
			}
			ds, err := tx.Deliveries(inc.ID)
			if err != nil {
				return err
			}
			if len(ds) != inc.Notifications {
				return fmt.Errorf("snapshot shows %d deliveries for %d notifications", len(ds), inc.Notifications)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// TestBatch: concurrent Batch calls all take effect, and one failing call
// does not take the others down with it.
func TestBatch(t *testing.T) {
	s := newStore(t)
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Batch(func(tx *Tx) error {
				if i == 7 {
					return fmt.Errorf("rule %d failed", i)
				}
				return tx.SetLastJudged(fmt.Sprintf("rule-%d", i), t0.Add(time.Duration(i)*time.Hour))
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 7) {
			t.Errorf("Batch %d = %v", i, err)
		}
		got, ok, _ := s.LastJudged(fmt.Sprintf("rule-%d", i))
		if want := t0.Add(time.Duration(i) * time.Hour); ok != (i != 7) || ok && !got.Equal(want) {
			t.Errorf("LastJudged(rule-%d) = %v, %v; want %v unless 7", i, got, ok, want)
		}
	}
}
