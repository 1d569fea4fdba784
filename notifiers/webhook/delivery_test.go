package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"vigil/notifiers"
	"vigil/notifiers/notifierstest"
	"vigil/notifiers/webhook"
)

// sleeps records the waits Retry asks for and returns at once.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// TestDeliveryWithRetry drives a webhook wrapped in Retry against a
// scripted receiver and checks the requests, the waits and the outcome.
func TestDeliveryWithRetry(t *testing.T) {
	const min, max = time.Second, 10 * time.Second
	tests := []struct {
		name      string
		script    func(r *notifierstest.Receiver)
		requests  int
		accepted  int // Count of the key
		retry     bool
		errHas    string
		permanent bool
		waits     func(w []time.Duration) bool
		waitsDesc string
	}{
		{name: "success", script: func(r *notifierstest.Receiver) {}, requests: 1, accepted: 1,
			waits: none, waitsDesc: "none"},
		{name: "500 twice then success", script: func(r *notifierstest.Receiver) { r.Fail(2) }, requests: 3, accepted: 1,
			waits: backoffs(min, max, 2), waitsDesc: "2 backoffs"},
		{name: "429 Retry-After honoured", script: func(r *notifierstest.Receiver) { r.RateLimit(1, "7") }, requests: 2, accepted: 1,
			waits: exactly(7 * time.Second), waitsDesc: "[7s]"},
		{name: "429 longer than MaxWait", script: func(r *notifierstest.Receiver) { r.RateLimit(1, "120") }, requests: 1,
			retry: true, errHas: "rate limited for longer than 1m0s", waits: none, waitsDesc: "none"},
		{name: "timeout then success", script: func(r *notifierstest.Receiver) { r.Stall(1, time.Minute) }, requests: 2, accepted: 2,
			waits: backoffs(min, max, 1), waitsDesc: "1 backoff"},
		{name: "500 until attempts run out", script: func(r *notifierstest.Receiver) { r.Fail(10) }, requests: 4,
			retry: true, errHas: "gave up after 4 attempts", waits: backoffs(min, max, 3), waitsDesc: "3 backoffs"},
		{name: "400 never retried", script: func(r *notifierstest.Receiver) { r.Respond(1, 400, "bad") }, requests: 1,
			permanent: true, errHas: `400 Bad Request: "bad"`, waits: none, waitsDesc: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifierstest.NewReceiver(t)
			tt.script(r)
			var sl sleeps
			n := notifiers.Retry(newNotifier(t, webhook.Options{URL: r.URL, Timeout: 100 * time.Millisecond}),
				notifiers.RetryPolicy{Attempts: 4, Min: min, Max: max, MaxWait: time.Minute, Sleep: sl.Sleep, Rand: rand.NewPCG(5, 5)})
			a := fullAlert(t)
			retry, err := n.Notify(context.Background(), a)
			checkResult(t, retry, err, tt.retry, tt.permanent, tt.errHas)
			reqs := r.Requests()
			if len(reqs) != tt.requests {
				t.Errorf("receiver got %d requests, want %d", len(reqs), tt.requests)
			}
			for i, req := range reqs {
				if req.Key != a.Key {
					t.Errorf("request %d Idempotency-Key = %q, want %q on every attempt", i+1, req.Key, a.Key)
				}
			}
			if got := r.Count(a.Key); got != tt.accepted {
				t.Errorf("Count(%q) = %d, want %d", a.Key, got, tt.accepted)
			}
			if w := sl.waits(); !tt.waits(w) {
				t.Errorf("waits = %v, want %s", w, tt.waitsDesc)
			}
		})
	}
}

func none(w []time.Duration) bool { return len(w) == 0 }

func exactly(d ...time.Duration) func([]time.Duration) bool {
	return func(w []time.Duration) bool { return fmt.Sprint(w) == fmt.Sprint(d) }
}

// backoffs wants k waits, wait i within [min, min(max, min·2^i)].
func backoffs(min, max time.Duration, k int) func([]time.Duration) bool {
	return func(w []time.Duration) bool {
		if len(w) != k {
			return false
		}
		for i, d := range w {
			if d < min || d > mn(max, min<<(i+1)) {
				return false
			}
		}
		return true
	}
}

func mn(a, b time.Duration) time.Duration { return min(a, b) }

// closedURL returns a loopback URL where nothing listens.
func closedURL(t *testing.T, path string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + path
}

func TestNotifyConnectionRefused(t *testing.T) {
	n := newNotifier(t, webhook.Options{URL: closedURL(t, "/hook")})
	retry, err := n.Notify(context.Background(), fullAlert(t))
	checkResult(t, retry, err, true, false, "connection refused")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Notify() error = %v, want one wrapping ECONNREFUSED", err)
	}
}

// Parts of the URL below look like the tokens webhook URLs carry.
const (
	pathSecret  = "T0SECRETPATH"
	path2Secret = "B0SECRETPATH"
	querySecret = "Q0SECRETQUERY"
	userSecret  = "U0SECRETUSER"
	passSecret  = "P0SECRETPASS"
)

var allSecrets = []string{pathSecret, path2Secret, querySecret, userSecret, passSecret}

// TestSecretsNeverPrinted fails every way a delivery can and checks that
// neither errors, String nor Retry's log show the URL's secret parts.
func TestSecretsNeverPrinted(t *testing.T) {
	secretPath := "/hooks/" + pathSecret + "/" + path2Secret + "?token=" + querySecret
	withSecrets := func(base string) string {
		return strings.Replace(base, "http://", "http://"+userSecret+":"+passSecret+"@", 1) + secretPath
	}
	tests := []struct {
		name   string
		url    func(r *notifierstest.Receiver) string
		script func(r *notifierstest.Receiver)
	}{
		{"404 echoing the path", nil, func(r *notifierstest.Receiver) { r.Respond(9, 404, "no hook at "+secretPath) }},
		{"400 echoing a token near the cut", nil, func(r *notifierstest.Receiver) {
			r.Respond(9, 400, strings.Repeat(".", 195)+querySecret)
		}},
		{"500 echoing the URL", nil, func(r *notifierstest.Receiver) { r.Respond(9, 500, "failed: "+withSecrets(r.URL)) }},
		{"429", nil, func(r *notifierstest.Receiver) { r.RateLimit(9, "1") }},
		{"301 to another secret", nil, func(r *notifierstest.Receiver) { r.Respond(9, 301, "moved from "+secretPath) }},
		{"timeout", nil, func(r *notifierstest.Receiver) { r.Stall(9, time.Minute) }},
		{"connection refused", func(*notifierstest.Receiver) string { return withSecrets(strings.TrimSuffix(closedURL(t, ""), "/")) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifierstest.NewReceiver(t)
			url := withSecrets(r.URL)
			if tt.url != nil {
				url = tt.url(r)
			}
			if tt.script != nil {
				tt.script(r)
			}
			hook := newNotifier(t, webhook.Options{URL: url, Timeout: 50 * time.Millisecond})
			var log strings.Builder
			var sl sleeps
			n := notifiers.Retry(hook, notifiers.RetryPolicy{Attempts: 2, Sleep: sl.Sleep,
				Logger: slog.New(slog.NewTextHandler(&log, nil))})
			_, err := n.Notify(context.Background(), fullAlert(t))
			if err == nil {
				t.Fatal("Notify() succeeded, want an error")
			}
			printed := strings.Join([]string{err.Error(), log.String(), hook.String(),
				fmt.Sprint(hook), fmt.Sprintf("%+v", hook), fmt.Sprintf("%#v", hook)}, "\n")
			for _, s := range allSecrets {
				if strings.Contains(printed, s) {
					t.Errorf("printed text shows %s:\n%s", s, printed)
				}
			}
			if !strings.Contains(err.Error(), "webhook http://127.0.0.1:") {
				t.Errorf("Notify() error = %v, want it to name the webhook by scheme and host", err)
			}
		})
	}
}

func TestNewNeverPrintsSecrets(t *testing.T) {
	tests := []struct{ name, url string }{
		{"bad escape", "https://h.example.com/hooks/" + pathSecret + "/%zz"},
		{"bad port", "https://" + userSecret + ":" + passSecret + "@h.example.com:x" + pathSecret + "/"},
		{"control character", "https://h.example.com/hooks/" + pathSecret + "\n"},
		{"no scheme", "h.example.com/hooks/" + pathSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webhook.New(webhook.Options{URL: tt.url})
			if err == nil {
				t.Fatalf("New(%s) succeeded, want an error", tt.name)
			}
			for _, s := range allSecrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("New() error = %q shows %s", err, s)
				}
			}
		})
	}
	_, err := webhook.New(webhook.Options{URL: "https://h.example.com", Headers: map[string]string{"Authorization": "Bearer " + passSecret + "\n"}})
	if err == nil || strings.Contains(err.Error(), passSecret) {
		t.Errorf("New() with a bad secret header = %v, want an error not showing the value", err)
	}
}
