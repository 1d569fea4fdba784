// Package notifierstest provides a fake webhook receiver for tests of
// notifiers and of the code that drives them, as net/http/httptest does for
// HTTP servers.
package notifierstest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// maxBody is the most of a request body the receiver reads.
const maxBody = 1 << 20

// Receiver is a webhook receiver listening on loopback. It records every
// request, answers as scripted (500s, rate limits, stalls) and then with
// 200 OK, and counts deliveries per Idempotency-Key so that tests can
// check that each alert arrived exactly once. It is safe for concurrent
// use.
type Receiver struct {
	// URL is the receiver's base URL, http://127.0.0.1:port. Every path
	// under it is accepted, so tests may add a secret-looking one.
	URL string

	srv  *httptest.Server
	quit chan struct{} // closed on cleanup to end stalls

	mu      sync.Mutex
	script  []step
	reqs    []Request
	arrived chan struct{} // closed and replaced when a request is recorded
}

// Request is one request as the receiver saw and answered it.
type Request struct {
	Method string
	Path   string // path and query as received
	Header http.Header
	Body   []byte
	JSON   map[string]any // Body decoded; nil when it is not a JSON object
	Key    string         // the Idempotency-Key header
	Status int            // the status the receiver answered
	// Accepted says the receiver took the delivery: it answered 2xx, or it
	// stalled, as a receiver that acts on a request and answers too late.
	Accepted bool
}

// step is one scripted answer.
type step struct {
	status     int
	body       string
	retryAfter string        // Retry-After header; empty: none
	stall      time.Duration // hold the request this long, then take it
}

// NewReceiver starts a Receiver on loopback and stops it when the test
// ends.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{quit: make(chan struct{}), arrived: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = r.srv.URL
	t.Cleanup(func() {
		close(r.quit)
		r.srv.Close()
	})
	return r
}

// Fail answers the next n requests with 500 Internal Server Error.
func (r *Receiver) Fail(n int) {
	r.queue(n, step{status: http.StatusInternalServerError, body: "internal error"})
}

// RateLimit answers the next n requests with 429 Too Many Requests and the
// given Retry-After header (seconds or an HTTP date; none when empty).
func (r *Receiver) RateLimit(n int, retryAfter string) {
	r.queue(n, step{status: http.StatusTooManyRequests, body: "slow down", retryAfter: retryAfter})
}

// Stall holds each of the next n requests for d, or until the client gives
// up, before answering 200 OK. The delivery counts as accepted: the
// receiver acted on it but answered too late, which is what idempotency
// keys are for.
func (r *Receiver) Stall(n int, d time.Duration) {
	r.queue(n, step{status: http.StatusOK, stall: d})
}

// Respond answers the next n requests with status and body.
func (r *Receiver) Respond(n, status int, body string) { r.queue(n, step{status: status, body: body}) }

func (r *Receiver) queue(n int, s step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range n {
		r.script = append(r.script, s)
	}
}

// next pops the scripted answer for the next request.
func (r *Receiver) next() step {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.script) == 0 {
		return step{status: http.StatusOK}
	}
	s := r.script[0]
	r.script = r.script[1:]
	return s
}

func (r *Receiver) serve(w http.ResponseWriter, hr *http.Request) {
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxBody))
	req := Request{Method: hr.Method, Path: hr.URL.RequestURI(), Header: hr.Header.Clone(), Body: body,
		Key: hr.Header.Get("Idempotency-Key")}
	s := step{status: http.StatusBadRequest, body: "body is not a JSON object"}
	switch {
	case hr.Method != http.MethodPost:
		s = step{status: http.StatusMethodNotAllowed, body: "POST only"}
	case err == nil && json.Unmarshal(body, &req.JSON) == nil && req.JSON != nil:
		s = r.next()
	}
	req.Status = s.status
	req.Accepted = s.stall > 0 || s.status/100 == 2
	r.record(req)
	if s.stall > 0 {
		r.hold(hr.Context(), s.stall)
	}
	if s.retryAfter != "" {
		w.Header().Set("Retry-After", s.retryAfter)
	}
	w.WriteHeader(s.status)
	io.WriteString(w, s.body)
}

func (r *Receiver) hold(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-r.quit:
	}
}

func (r *Receiver) record(req Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	close(r.arrived)
	r.arrived = make(chan struct{})
}

// Requests returns every request received so far, in arrival order.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Count returns how many times the delivery with this idempotency key was
// accepted. More than one means the sender delivered it again and only the
// receiver's deduplication kept it from repeating.
func (r *Receiver) Count(key string) int {
	var n int
	for _, req := range r.Requests() {
		if req.Accepted && req.Key == key {
			n++
		}
	}
	return n
}

// Unique returns how many distinct idempotency keys were accepted: the
// deliveries a receiver that deduplicates on the key acts on.
func (r *Receiver) Unique() int { return len(r.Deliveries()) }

// Deliveries returns the first accepted request of each idempotency key,
// in arrival order: what a receiver that deduplicates acts on.
func (r *Receiver) Deliveries() []Request {
	seen := map[string]bool{}
	var out []Request
	for _, req := range r.Requests() {
		if req.Accepted && !seen[req.Key] {
			seen[req.Key] = true
			out = append(out, req)
		}
	}
	return out
}

// ExactlyOnce fails the test unless the accepted deliveries are exactly
// keys, each accepted once.
func (r *Receiver) ExactlyOnce(t testing.TB, keys ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
		if n := r.Count(k); n != 1 {
			t.Errorf("delivery %q accepted %d times, want once", k, n)
		}
	}
	for _, d := range r.Deliveries() {
		if !want[d.Key] {
			t.Errorf("unexpected delivery %q accepted %d times", d.Key, r.Count(d.Key))
		}
	}
}

// Wait blocks until at least n requests have arrived or ctx is done.
func (r *Receiver) Wait(ctx context.Context, n int) error {
	for {
		r.mu.Lock()
		got, arrived := len(r.reqs), r.arrived
		r.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Decode unmarshals the request's body into v.
func (req Request) Decode(v any) error { return json.NewDecoder(bytes.NewReader(req.Body)).Decode(v) }
