package state

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// DeliveryState is where a delivery is in the outbox.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending DeliveryState = "pending" // recorded, not yet delivered
	DeliverySent    DeliveryState = "sent"    // the notifier accepted it
	DeliveryFailed  DeliveryState = "failed"  // given up; will not be tried again
)

// Event is what a delivery tells about.
type Event string

// Events the engine delivers.
const (
	EventOpen      Event = "open"      // an incident started firing
	EventUpdate    Event = "update"    // it changed: new peak, ack, snooze, feedback
	EventResolve   Event = "resolve"   // it resolved
	EventRenotify  Event = "renotify"  // still firing, reminded
	EventFailing   Event = "failing"   // a rule keeps failing
	EventRecovered Event = "recovered" // the failing rule runs again
	EventDigest    Event = "digest"    // a digest of the incidents since the last one
)

// Delivery is one message to one notifier, recorded in the outbox before it
// is sent and completed after, so that a restart finds every delivery that
// may not have happened and sends it, and never sends a completed one again.
type Delivery struct {
	// Key identifies the delivery; enqueuing a key twice keeps the first.
	// DeliveryKey builds one from what makes a delivery unique.
	Key      string          `json:"key"`
	Seq      uint64          `json:"seq"`                // creation order, set by Enqueue
	Incident string          `json:"incident,omitempty"` // "" for deliveries about a rule
	Notifier string          `json:"notifier"`
	Event    Event           `json:"event"`
	Payload  json.RawMessage `json:"payload,omitempty"` // what to render, as the engine built it

	State         DeliveryState `json:"state"`
	Attempts      int           `json:"attempts"`
	LastError     string        `json:"last_error,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	LastAttemptAt time.Time     `json:"last_attempt_at,omitzero"`
	SentAt        time.Time     `json:"sent_at,omitzero"`
	FailedAt      time.Time     `json:"failed_at,omitzero"`
	Ref           string        `json:"ref,omitempty"` // what the notifier returned, e.g. a Slack ts
}

// DeliveryKey is the idempotency key of the seq-th delivery of event for
// incident to notifier: "orders@2024-05-01T14:00:00Z|open|1|growth". For
// an event about a rule rather than an incident, pass a subject that names
// the rule ("rule:orders") and a seq that names the failure streak (its
// start as Unix seconds), so two streaks never share a key.
func DeliveryKey(incident string, event Event, seq int, notifier string) string {
	return incident + "|" + string(event) + "|" + strconv.Itoa(seq) + "|" + notifier
}

func (d *Delivery) check() error {
	if err := checkName("key", d.Key, true); err != nil {
		return err
	}
	if err := checkName("incident", d.Incident, false); err != nil {
		return err
	}
	if d.Notifier == "" {
		return fmt.Errorf("notifier is empty")
	}
	if d.Event == "" {
		return fmt.Errorf("event is empty")
	}
	return checkRaw("payload", d.Payload)
}

// done is when a finished delivery finished.
func (d *Delivery) done() time.Time {
	if d.State == DeliverySent {
		return d.SentAt
	}
	return d.FailedAt
}
