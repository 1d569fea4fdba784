package engine

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/internal/state"
	"vigil/notifiers"
	"vigil/notifiers/notifierstest"
	"vigil/notifiers/webhook"
)

// quickWebhook is a webhook notifier as Build makes one, with timeouts and
// waits short enough for tests.
func quickWebhook(t *testing.T, url string) notifiers.Notifier {
	t.Helper()
	w, err := webhook.New(webhook.Options{URL: url, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return notifiers.Chain(w,
		notifiers.WithRetry(notifiers.RetryPolicy{Attempts: 3, Min: 10 * time.Millisecond, Max: 50 * time.Millisecond, MaxWait: 2 * time.Second}),
		notifiers.WithTimeout(300*time.Millisecond))
}

// runOutbox runs o until the test ends.
func runOutbox(t *testing.T, o *Outbox) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- o.Run(ctx, time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Outbox.Run() = %v", err)
		}
	})
}

// settled waits until no delivery is pending and returns them all.
func settled(t *testing.T, s *state.Store, incident string) []state.Delivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p, err := s.Pending(0)
		check(t, err)
		if len(p) == 0 {
			ds, err := s.Deliveries(incident)
			check(t, err)
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending, e.g. %+v", len(p), p[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOutboxWebhookFaults fires an incident whose webhook receiver first
// fails as scripted: the alert arrives, and a receiver that deduplicates
// on Idempotency-Key acts on it once.
func TestOutboxWebhookFaults(t *testing.T) {
	tests := []struct {
		name     string
		script   func(r *notifierstest.Receiver)
		accepted int // requests the receiver took, duplicates included
	}{
		{"500 twice", func(r *notifierstest.Receiver) { r.Fail(2) }, 1},
		{"500 past the notifier's retries", func(r *notifierstest.Receiver) { r.Fail(4) }, 1},
		{"stalls past the timeout", func(r *notifierstest.Receiver) { r.Stall(1, 2*time.Second) }, 2},
		{"429 with Retry-After", func(r *notifierstest.Receiver) { r.RateLimit(1, "1") }, 1},
		{"429 longer than the notifier waits", func(r *notifierstest.Receiver) { r.RateLimit(1, "3") }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := notifierstest.NewReceiver(t)
			tt.script(recv)
			s := openStore(t)
			o := NewOutbox(s, OutboxOptions{Backoff: 50 * time.Millisecond})
			r := lifecycleRule(patternSource("A"), alerting(2, 6), 1)
			r.Notifiers = []notifiers.Notifier{quickWebhook(t, recv.URL+"/hook/s3cret")}
			e := New([]Rule{r}, Options{Store: s, Outbox: o})
			o.Use(e)
			runOutbox(t, o)
			e.Once(context.Background(), evalAt(0), nil)
			inc, ok, err := s.OpenIncident("orders", "")
			if err != nil || !ok {
				t.Fatalf("no open incident: %v", err)
			}
			ds := settled(t, s, inc.ID)
			if len(ds) != 1 || ds[0].State != state.DeliverySent {
				t.Fatalf("deliveries = %+v, want one sent", ds)
			}
			if got := recv.Deliveries(); len(got) != 1 || got[0].Key != ds[0].Key {
				t.Fatalf("receiver acted on %d deliveries, want one with key %s", len(got), ds[0].Key)
			}
			if tt.accepted == 1 {
				recv.ExactlyOnce(t, ds[0].Key)
			}
			var took int
			for _, req := range recv.Requests() {
				if req.Accepted {
					took++
				}
			}
			if took != tt.accepted {
				t.Errorf("receiver took %d requests, want %d", took, tt.accepted)
			}
			if got := recv.Deliveries()[0]; got.JSON["id"] != inc.ID || got.JSON["state"] != "firing" || got.JSON["rule"] != "orders" {
				t.Errorf("delivered id %v state %v rule %v, want %s firing orders", got.JSON["id"], got.JSON["state"], got.JSON["rule"], inc.ID)
			}
		})
	}
}

// recordingProber is a notifier that can tell what it delivered.
type recordingProber struct {
	mu        sync.Mutex
	delivered map[string]bool
	sent      []string
	fail      error
	wait      time.Duration
	started   chan string   // when set, receives each key as its delivery starts
	gate      chan struct{} // when set, each delivery waits until it is closed
}

func (p *recordingProber) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	if p.started != nil {
		p.started <- a.Key
	}
	if p.gate != nil {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return true, ctx.Err()
		}
	}
	if p.wait > 0 {
		select {
		case <-time.After(p.wait):
		case <-ctx.Done():
			return true, ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return false, p.fail
	}
	p.sent = append(p.sent, a.Key)
	return false, nil
}

func (p *recordingProber) Delivered(ctx context.Context, key string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delivered[key], nil
}

func (p *recordingProber) keys() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.sent...)
}

// enqueue records a pending delivery of a small alert to notifier, about
// an incident when one is given.
func enqueue(t *testing.T, s *state.Store, key, notifier string, incident ...string) {
	t.Helper()
	payload, err := encodeAlert(notifiers.Alert{ID: "x", Rule: "orders", State: notifiers.Firing, Time: hour(0), Location: time.UTC})
	check(t, err)
	d := state.Delivery{Key: key, Notifier: notifier, Event: state.EventOpen, Payload: payload}
	if len(incident) > 0 {
		d.Incident = incident[0]
	}
	_, _, err = s.Enqueue(d)
	check(t, err)
}

// TestOutboxResumes starts an outbox on deliveries left pending, as after
// a crash: the notifier, which can tell what arrived, is asked, and only
// what did not arrive is sent; a delivery for a notifier no longer
// configured is given up with a reason.
func TestOutboxResumes(t *testing.T) {
	s := openStore(t)
	enqueue(t, s, "a", "probe")
	enqueue(t, s, "b", "probe")
	enqueue(t, s, "c", "gone")
	p := &recordingProber{delivered: map[string]bool{"a": true}}
	o := NewOutbox(s, OutboxOptions{})
	o.setTargets(map[string]target{"probe": alertTarget{named("probe", p)}})
	runOutbox(t, o)
	settled(t, s, "")
	if got := p.keys(); strings.Join(got, ",") != "b" {
		t.Errorf("sent %q, want only b (a had arrived)", got)
	}
	for key, want := range map[string]state.DeliveryState{"a": state.DeliverySent, "b": state.DeliverySent, "c": state.DeliveryFailed} {
		d, _, err := s.GetDelivery(key)
		check(t, err)
		if d.State != want {
			t.Errorf("delivery %s is %s, want %s", key, d.State, want)
		}
	}
	if d, _, _ := s.GetDelivery("c"); !strings.Contains(d.LastError, `notifier "gone" is no longer configured`) {
		t.Errorf("delivery c failed with %q, want the notifier gone", d.LastError)
	}
}

// resultObserver passes on each delivery outcome the outbox records, as
// "notifier result".
type resultObserver struct {
	nopObserver
	results chan string
}

func (o resultObserver) Delivery(notifier, result string) { o.results <- notifier + " " + result }

// receive returns the next value from ch; the bound only keeps a broken
// outbox from hanging the test.
func receive(t *testing.T, ch <-chan string, what string) string {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("no %s within 20s", what)
		return ""
	}
}

// TestOutboxLanes: a notifier that fails for good gives its deliveries up;
// one that is slow delays nobody else; each notifier's deliveries about one
// incident go out in the order recorded. The slow notifier holds its first
// delivery until the test lets it go, so nothing depends on timing.
func TestOutboxLanes(t *testing.T) {
	s := openStore(t)
	bad := &recordingProber{fail: notifiers.Permanent(errors.New("channel not found"))}
	gate := make(chan struct{})
	slow := &recordingProber{gate: gate, started: make(chan string, 2)}
	fast := &recordingProber{}
	for _, k := range []string{"s1", "b1", "f1", "f2", "s2", "f3"} {
		name := map[byte]string{'s': "slow", 'b': "bad", 'f': "fast"}[k[0]]
		enqueue(t, s, k, name, "incident-"+name)
	}
	obs := resultObserver{results: make(chan string, 64)}
	o := NewOutbox(s, OutboxOptions{Logger: slog.New(slog.DiscardHandler), Observer: obs})
	o.setTargets(map[string]target{"slow": alertTarget{slow}, "bad": alertTarget{bad}, "fast": alertTarget{fast}})
	runOutbox(t, o)

	if k := receive(t, slow.started, "delivery to the slow notifier"); k != "s1" {
		t.Fatalf("slow notifier started with %s, want s1", k)
	}
	// While s1 is held, every other lane finishes.
	got := map[string]int{}
	for range 4 {
		got[receive(t, obs.results, "delivery outcome")]++
	}
	if want := map[string]int{"fast sent": 3, "bad failed": 1}; !maps.Equal(got, want) {
		t.Errorf("outcomes while the slow notifier works = %v, want %v", got, want)
	}
	if got := strings.Join(fast.keys(), ","); got != "f1,f2,f3" {
		t.Errorf("fast notifier got %q, want f1,f2,f3 in order", got)
	}
	if d, _, _ := s.GetDelivery("b1"); d.State != state.DeliveryFailed || !strings.Contains(d.LastError, "channel not found") {
		t.Errorf("delivery b1 = %s %q, want failed: channel not found", d.State, d.LastError)
	}
	select {
	case k := <-slow.started:
		t.Errorf("slow notifier started %s while s1 was still on its way", k)
	default:
	}
	if got := slow.keys(); len(got) != 0 {
		t.Errorf("slow notifier finished %q before it was let go", got)
	}

	close(gate)
	if k := receive(t, slow.started, "second delivery to the slow notifier"); k != "s2" {
		t.Errorf("slow notifier went on with %s, want s2", k)
	}
	settled(t, s, "")
	if got := strings.Join(slow.keys(), ","); got != "s1,s2" {
		t.Errorf("slow notifier got %q, want s1,s2", got)
	}
}

// TestOutboxShutdown stops an outbox while a delivery is in flight: one
// that finishes within the drain time (let go once the outbox has seen the
// stop) is recorded sent; one that cannot finish (its notifier never
// answers) is cut short when the drain time is up and left pending for the
// next start, not marked failed.
func TestOutboxShutdown(t *testing.T) {
	tests := []struct {
		name    string
		release bool // let the delivery finish once the stop was asked for
		drain   time.Duration
		want    state.DeliveryState
	}{
		{"finishes in flight", true, time.Minute, state.DeliverySent},
		{"cut short", false, 50 * time.Millisecond, state.DeliveryPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			enqueue(t, s, "k", "n")
			gate := make(chan struct{})
			p := &recordingProber{gate: gate, started: make(chan string, 1)}
			hook := func(step string) {
				if step == "stopping" && tt.release {
					close(gate)
				}
			}
			o := NewOutbox(s, OutboxOptions{Logger: slog.New(slog.DiscardHandler), Hook: hook})
			o.setTargets(map[string]target{"n": alertTarget{p}})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- o.Run(ctx, tt.drain) }()
			receive(t, p.started, "the delivery in flight")
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run() = %v", err)
				}
			case <-time.After(20 * time.Second): // only keeps a broken outbox from hanging the test
				t.Fatal("Run() did not return after the stop")
			}
			if d, _, _ := s.GetDelivery("k"); d.State != tt.want {
				t.Errorf("delivery is %s, want %s", d.State, tt.want)
			}
			if got, want := len(p.keys()), map[bool]int{true: 1, false: 0}[tt.release]; got != want {
				t.Errorf("notifier finished %d deliveries, want %d", got, want)
			}
		})
	}
}
