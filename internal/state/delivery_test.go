package state

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func delivery(inc string, ev Event, seq int, notifier string) Delivery {
	return Delivery{Key: DeliveryKey(inc, ev, seq, notifier), Incident: inc, Notifier: notifier, Event: ev,
		Payload: json.RawMessage(`{"text":"Orders fell"}`)}
}

func keys(ds []Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Key)
	}
	return out
}

func TestDeliveryKey(t *testing.T) {
	if got, want := DeliveryKey("orders@2024-05-01T14:00:00Z", EventOpen, 1, "growth"), "orders@2024-05-01T14:00:00Z|open|1|growth"; got != want {
		t.Errorf("DeliveryKey = %q, want %q", got, want)
	}
}

func TestEnqueueIsIdempotent(t *testing.T) {
	s := newStore(t)
	d := delivery("inc", EventOpen, 1, "growth")
	first, created, err := s.Enqueue(d)
	if err != nil || !created {
		t.Fatalf("Enqueue = %v, %v; want created", created, err)
	}
	if first.State != DeliveryPending || first.Seq == 0 || !first.CreatedAt.Equal(t0) {
		t.Errorf("Enqueue set state %q, seq %d, created %v; want pending, >0, %v", first.State, first.Seq, first.CreatedAt, t0)
	}
	must(t, s.MarkSent(d.Key, "1714572000.000100", t0.Add(time.Minute)))

	again := d
	again.Payload = json.RawMessage(`{"text":"something else"}`)
	got, created, err := s.Enqueue(again)
	if err != nil || created {
		t.Fatalf("Enqueue(same key) = %v, %v; want existing", created, err)
	}
	if got.State != DeliverySent || string(got.Payload) != string(d.Payload) || got.Ref != "1714572000.000100" {
		t.Errorf("Enqueue(same key) returned %+v, want the sent original", got)
	}
	if p, _ := s.Pending(0); len(p) != 0 {
		t.Errorf("Pending after re-enqueue of a sent delivery = %q, want none", keys(p))
	}
}

func TestEnqueueRejects(t *testing.T) {
	s := newStore(t)
	tests := []struct {
		name   string
		change func(*Delivery)
		want   string
	}{
		{"no key", func(d *Delivery) { d.Key = "" }, "key is empty"},
		{"no notifier", func(d *Delivery) { d.Notifier = "" }, "notifier is empty"},
		{"no event", func(d *Delivery) { d.Event = "" }, "event is empty"},
		{"bad payload", func(d *Delivery) { d.Payload = json.RawMessage("{nope") }, "payload is not valid JSON"},
		{"NUL in incident", func(d *Delivery) { d.Incident = "a\x00" }, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := delivery("inc", EventOpen, 1, "growth")
			tt.change(&d)
			if _, _, err := s.Enqueue(d); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Enqueue = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestPendingInCreationOrder(t *testing.T) {
	s := newStore(t)
	var want []string
	// Keys sort differently from creation order on purpose.
	for i, n := range []string{"zeta", "alpha", "mid", "beta"} {
		d := delivery("inc-"+n, EventOpen, i, "growth")
		_, _, err := s.Enqueue(d)
		must(t, err)
		want = append(want, d.Key)
	}
	got, err := s.Pending(0)
	must(t, err)
	if !reflect.DeepEqual(keys(got), want) {
		t.Errorf("Pending(0) = %q, want %q", keys(got), want)
	}
	got, _ = s.Pending(2)
	if !reflect.DeepEqual(keys(got), want[:2]) {
		t.Errorf("Pending(2) = %q, want %q", keys(got), want[:2])
	}
	must(t, s.MarkSent(want[0], "", t0))
	must(t, s.MarkFailed(want[2], "channel_not_found"))
	must(t, s.MarkAttempt(want[1], errors.New("HTTP 429")))
	s = reopen(t, s)
	got, _ = s.Pending(0)
	if w := []string{want[1], want[3]}; !reflect.DeepEqual(keys(got), w) {
		t.Errorf("Pending after sent, failed and retried = %q, want %q", keys(got), w)
	}
}

func TestDeliveryTransitions(t *testing.T) {
	type step struct {
		op      string // attempt, attempt-ok, sent, failed
		wantErr error
	}
	tests := []struct {
		name  string
		steps []step
		want  Delivery // State, Attempts, LastError, Ref checked
	}{
		{"sent first time", []step{{"sent", nil}},
			Delivery{State: DeliverySent, Attempts: 1, Ref: "ts-1"}},
		{"retried then sent", []step{{"attempt", nil}, {"attempt", nil}, {"sent", nil}},
			Delivery{State: DeliverySent, Attempts: 3, LastError: "HTTP 500", Ref: "ts-1"}},
		{"attempt without error", []step{{"attempt", nil}, {"attempt-ok", nil}},
			Delivery{State: DeliveryPending, Attempts: 2}},
		{"given up", []step{{"attempt", nil}, {"failed", nil}},
			Delivery{State: DeliveryFailed, Attempts: 1, LastError: "channel_not_found"}},
		{"sent twice is a no-op", []step{{"sent", nil}, {"sent", nil}},
			Delivery{State: DeliverySent, Attempts: 1, Ref: "ts-1"}},
		{"failed twice is a no-op", []step{{"failed", nil}, {"failed", nil}},
			Delivery{State: DeliveryFailed, LastError: "channel_not_found"}},
		{"attempt after sent", []step{{"sent", nil}, {"attempt", ErrConflict}},
			Delivery{State: DeliverySent, Attempts: 1, Ref: "ts-1"}},
		{"sent after failed", []step{{"failed", nil}, {"sent", ErrConflict}},
			Delivery{State: DeliveryFailed, LastError: "channel_not_found"}},
		{"failed after sent", []step{{"sent", nil}, {"failed", ErrConflict}},
			Delivery{State: DeliverySent, Attempts: 1, Ref: "ts-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			d := delivery("inc", EventOpen, 1, "growth")
			_, _, err := s.Enqueue(d)
			must(t, err)
			for _, st := range tt.steps {
				var err error
				switch st.op {
				case "attempt":
					err = s.MarkAttempt(d.Key, errors.New("HTTP 500"))
				case "attempt-ok":
					err = s.MarkAttempt(d.Key, nil)
				case "sent":
					err = s.MarkSent(d.Key, "ts-1", t0.Add(time.Minute))
				case "failed":
					err = s.MarkFailed(d.Key, "channel_not_found")
				}
				if !errors.Is(err, st.wantErr) {
					t.Fatalf("%s = %v, want %v", st.op, err, st.wantErr)
				}
			}
			got, ok, err := s.GetDelivery(d.Key)
			if err != nil || !ok {
				t.Fatalf("GetDelivery = %v, %v", ok, err)
			}
			if got.State != tt.want.State || got.Attempts != tt.want.Attempts || got.LastError != tt.want.LastError || got.Ref != tt.want.Ref {
				t.Errorf("delivery = state %s, attempts %d, error %q, ref %q; want %s, %d, %q, %q",
					got.State, got.Attempts, got.LastError, got.Ref, tt.want.State, tt.want.Attempts, tt.want.LastError, tt.want.Ref)
			}
			inQueue := false
			p, _ := s.Pending(0)
			for _, q := range p {
				inQueue = inQueue || q.Key == d.Key
			}
			if inQueue != (got.State == DeliveryPending) {
				t.Errorf("in Pending = %v with state %s", inQueue, got.State)
			}
		})
	}
}

func TestMarkMissingDelivery(t *testing.T) {
	s := newStore(t)
	for name, err := range map[string]error{
		"attempt": s.MarkAttempt("nope", nil),
		"sent":    s.MarkSent("nope", "", t0),
		"failed":  s.MarkFailed("nope", "x"),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s(missing) = %v, want ErrNotFound", name, err)
		}
	}
}

// TestEventInOneTransaction: the incident change and its deliveries commit
// together or not at all.
func TestEventInOneTransaction(t *testing.T) {
	s := newStore(t)
	inc := firing("orders", "", t0)
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		if err := tx.PutIncident(&inc); err != nil {
			return err
		}
		for _, n := range []string{"growth", "console"} {
			if _, _, err := tx.Enqueue(delivery(inc.ID, EventOpen, 1, n)); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	if _, ok, _ := s.GetIncident(inc.ID); ok {
		t.Error("incident of a failed transaction was stored")
	}
	if p, _ := s.Pending(0); len(p) != 0 {
		t.Errorf("deliveries of a failed transaction were stored: %q", keys(p))
	}

	must(t, s.Update(func(tx *Tx) error {
		if err := tx.PutIncident(&inc); err != nil {
			return err
		}
		for _, n := range []string{"growth", "console"} {
			if _, _, err := tx.Enqueue(delivery(inc.ID, EventOpen, 1, n)); err != nil {
				return err
			}
		}
		return nil
	}))
	ds, err := s.Deliveries(inc.ID)
	must(t, err)
	want := []string{DeliveryKey(inc.ID, EventOpen, 1, "growth"), DeliveryKey(inc.ID, EventOpen, 1, "console")}
	if !reflect.DeepEqual(keys(ds), want) {
		t.Errorf("Deliveries = %q, want %q", keys(ds), want)
	}
}
