package webhook_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the payload names the alert's zone

	"vigil/notifiers"
	"vigil/notifiers/notifierstest"
	"vigil/notifiers/webhook"
)

// contribution and explanation stand for what explain hands notifiers.
// fullAlert sets every field of an alert, with the awkward values a
// payload must survive: NaN, an unbounded band, SQL with < and &.
func fullAlert(t *testing.T) notifiers.Alert {
	t.Helper()
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 4, 14, 0, 0, 0, time.UTC)
	return notifiers.Alert{
		ID: `orders{country="BR"}`, Key: "outbox-42", State: notifiers.Firing, Rule: "orders",
		Description: "Completed orders", Owner: "@growth-oncall", Runbook: "https://wiki.example.com/orders",
		Unit: "", Method: "seasonal (weekly, 8 seasons)", Sensitivity: "medium",
		Time: at.In(loc), Granularity: time.Hour, Location: loc,
		Value: 3210, Expected: 4400, Lower: 3900, Upper: math.Inf(1), Score: 0.93, Direction: "down",
		Reason: "27% below the expected 4,400",
		Query:  "SELECT toStartOfHour(created_at) AS t, count() FROM analytics.orders WHERE status = 'completed' AND amount > 0 AND t < now() GROUP BY t",
		History: []notifiers.HistoryPoint{
			{Time: at.Add(-2 * time.Hour), Value: 4380, Expected: 4350, Lower: 3850, Upper: math.Inf(1)},
			{Time: at.Add(-time.Hour), Value: math.NaN(), Expected: 4390, Lower: 3890, Upper: math.Inf(1)},
			{Time: at, Value: 3210, Expected: 4400, Lower: 3900, Upper: math.Inf(1)},
		},
		Explanation: &notifiers.Explanation{
			Sentence: "Orders were 3,210 at 14:00 UTC, 27% below the expected 4,400. country=BR accounts for 81% of the drop.",
			Verdict:  "explained",
			Contributors: []notifiers.Contributor{
				{Segment: []notifiers.SegmentValue{{Dimension: "country", Value: "BR"}}, Actual: 410, Expected: 1370, Delta: -960, Share: 0.81},
				{Segment: []notifiers.SegmentValue{{Dimension: "platform", Value: "android"}}, Actual: 1900, Expected: 2040, Delta: -140, Share: 0.12},
			},
		},
	}
}

func newNotifier(t *testing.T, opts webhook.Options) *webhook.Notifier {
	t.Helper()
	n, err := webhook.New(opts)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return n
}

// TestNotifyAnswers sends one alert per case, without Retry, and checks how
// each answer of the receiver is classified.
func TestNotifyAnswers(t *testing.T) {
	tests := []struct {
		name       string
		script     func(r *notifierstest.Receiver)
		retry      bool
		permanent  bool
		retryAfter time.Duration // > 0: want a *RetryAfterError with this delay
		errHas     string        // the error contains it; "" wants no error
	}{
		{name: "200", script: func(r *notifierstest.Receiver) {}},
		{name: "202", script: func(r *notifierstest.Receiver) { r.Respond(1, 202, "queued") }},
		{name: "204", script: func(r *notifierstest.Receiver) { r.Respond(1, 204, "") }},
		{name: "500", script: func(r *notifierstest.Receiver) { r.Fail(1) }, retry: true,
			errHas: `500 Internal Server Error: "internal error"`},
		{name: "503", script: func(r *notifierstest.Receiver) { r.Respond(1, 503, "") }, retry: true,
			errHas: "503 Service Unavailable"},
		{name: "408", script: func(r *notifierstest.Receiver) { r.Respond(1, 408, "") }, retry: true,
			errHas: "408 Request Timeout"},
		{name: "429 with seconds", script: func(r *notifierstest.Receiver) { r.RateLimit(1, "7") }, retry: true,
			retryAfter: 7 * time.Second, errHas: "429 Too Many Requests"},
		{name: "429 without Retry-After", script: func(r *notifierstest.Receiver) { r.RateLimit(1, "") }, retry: true,
			retryAfter: webhook.DefaultRetryAfter, errHas: "429"},
		{name: "429 with garbage", script: func(r *notifierstest.Receiver) { r.RateLimit(1, "soon") }, retry: true,
			retryAfter: webhook.DefaultRetryAfter, errHas: "429"},
		{name: "400 shows the body", script: func(r *notifierstest.Receiver) { r.Respond(1, 400, `{"error":"field state: unknown value"}`) },
			permanent: true, errHas: `400 Bad Request: "{\"error\":\"field state: unknown value\"}"`},
		{name: "400 body cut at 200 bytes", script: func(r *notifierstest.Receiver) { r.Respond(1, 400, strings.Repeat("x", 199)+"yz") },
			permanent: true, errHas: `"` + strings.Repeat("x", 199) + `y"`},
		{name: "401", script: func(r *notifierstest.Receiver) { r.Respond(1, 401, "bad token") }, permanent: true,
			errHas: `401 Unauthorized: "bad token"`},
		{name: "404", script: func(r *notifierstest.Receiver) { r.Respond(1, 404, "") }, permanent: true, errHas: "404 Not Found"},
		{name: "301 not followed", script: func(r *notifierstest.Receiver) { r.Respond(1, 301, "") }, permanent: true,
			errHas: "redirects are not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifierstest.NewReceiver(t)
			tt.script(r)
			n := newNotifier(t, webhook.Options{URL: r.URL + "/hook"})
			retry, err := n.Notify(context.Background(), fullAlert(t))
			checkResult(t, retry, err, tt.retry, tt.permanent, tt.errHas)
			if d, ok := notifiers.RetryAfter(err); ok != (tt.retryAfter > 0) || d != tt.retryAfter {
				t.Errorf("RetryAfter(%v) = %v, %v; want %v", err, d, ok, tt.retryAfter)
			}
			if got := len(r.Requests()); got != 1 {
				t.Errorf("receiver got %d requests, want 1", got)
			}
		})
	}
}

func checkResult(t *testing.T, retry bool, err error, wantRetry, permanent bool, errHas string) {
	t.Helper()
	if retry != wantRetry {
		t.Errorf("Notify() retry = %v, want %v (error %v)", retry, wantRetry, err)
	}
	switch {
	case errHas == "" && err != nil:
		t.Errorf("Notify() error = %v, want nil", err)
	case errHas != "" && (err == nil || !strings.Contains(err.Error(), errHas)):
		t.Errorf("Notify() error = %v, want one containing %q", err, errHas)
	}
	if got := notifiers.IsPermanent(err); got != permanent {
		t.Errorf("IsPermanent(%v) = %v, want %v", err, got, permanent)
	}
}

func TestNotifyTimeout(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	r.Stall(1, time.Minute)
	n := newNotifier(t, webhook.Options{URL: r.URL, Timeout: 50 * time.Millisecond})
	retry, err := n.Notify(context.Background(), fullAlert(t))
	checkResult(t, retry, err, true, false, "no answer in time (timeout 50ms)")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Notify() error = %v, want one wrapping context.DeadlineExceeded", err)
	}
}

func TestNotifyCallerCancelled(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	retry, err := newNotifier(t, webhook.Options{URL: r.URL}).Notify(ctx, fullAlert(t))
	checkResult(t, retry, err, true, false, "context canceled")
}

func TestNotifyRequest(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	n := newNotifier(t, webhook.Options{URL: r.URL + "/hooks/orders?team=growth", Version: "1.2.3",
		Headers: map[string]string{"authorization": "Bearer abc", "X-Team": "growth"}})
	if _, err := n.Notify(context.Background(), fullAlert(t)); err != nil {
		t.Fatal(err)
	}
	req := r.Requests()[0]
	for _, c := range []struct{ name, got, want string }{
		{"method", req.Method, http.MethodPost},
		{"path", req.Path, "/hooks/orders?team=growth"},
		{"Content-Type", req.Header.Get("Content-Type"), "application/json"},
		{"User-Agent", req.Header.Get("User-Agent"), "vigil/1.2.3"},
		{"Idempotency-Key", req.Key, "outbox-42"},
		{"Authorization", req.Header.Get("Authorization"), "Bearer abc"},
		{"X-Team", req.Header.Get("X-Team"), "growth"},
		{"payload key", req.JSON["key"].(string), "outbox-42"},
	} {
		if c.got != c.want {
			t.Errorf("request %s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if _, err := newNotifier(t, webhook.Options{URL: r.URL}).Notify(context.Background(), fullAlert(t)); err != nil {
		t.Fatal(err)
	}
	if got := r.Requests()[1].Header.Get("User-Agent"); got != "vigil/dev" {
		t.Errorf("User-Agent without Version = %q, want vigil/dev", got)
	}
}

func TestNotifyIdempotencyKey(t *testing.T) {
	a := fullAlert(t)
	derived := a
	derived.Key = ""
	tests := []struct {
		name string
		key  string
		want func(got string) bool
	}{
		{"given", "outbox-42", func(got string) bool { return got == "outbox-42" }},
		{"derived", "", func(got string) bool { return got == derived.DeliveryKey() }},
		{"with a line break", "a\nb", func(got string) bool { return strings.HasPrefix(got, "vigil-") && len(got) == 38 }},
		{"with spaces", "rule orders", func(got string) bool { return strings.HasPrefix(got, "vigil-") }},
		{"too long", strings.Repeat("k", 300), func(got string) bool { return strings.HasPrefix(got, "vigil-") && len(got) == 38 }},
		{"non-ASCII", "orders-São-Paulo", func(got string) bool { return strings.HasPrefix(got, "vigil-") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifierstest.NewReceiver(t)
			n := newNotifier(t, webhook.Options{URL: r.URL})
			a := a
			a.Key = tt.key
			for range 2 {
				if _, err := n.Notify(context.Background(), a); err != nil {
					t.Fatal(err)
				}
			}
			reqs := r.Requests()
			if !tt.want(reqs[0].Key) || reqs[0].Key != reqs[1].Key || reqs[0].JSON["key"] != reqs[0].Key {
				t.Errorf("Idempotency-Key = %q then %q, payload key %v", reqs[0].Key, reqs[1].Key, reqs[0].JSON["key"])
			}
			if r.Unique() != 1 || r.Count(reqs[0].Key) != 2 {
				t.Errorf("Unique() = %d, Count = %d; want 1 and 2", r.Unique(), r.Count(reqs[0].Key))
			}
		})
	}
}

func TestNotifyDoesNotProbe(t *testing.T) {
	n := newNotifier(t, webhook.Options{URL: "https://example.com/hook"})
	if _, ok := notifiers.AsProber(n); ok {
		t.Error("webhook.Notifier is a Prober; a webhook cannot know whether a delivery arrived")
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name   string
		opts   webhook.Options
		errHas string
	}{
		{"good", webhook.Options{URL: "https://hooks.example.com/x"}, ""},
		{"ftp", webhook.Options{URL: "ftp://hooks.example.com/x"}, "not an http(s) URL"},
		{"no host", webhook.Options{URL: "https:///x"}, "not an http(s) URL"},
		{"relative", webhook.Options{URL: "/hooks/x"}, "not an http(s) URL"},
		{"unparsable", webhook.Options{URL: "https://hooks.example.com/%zz"}, "invalid URL escape"},
		{"negative timeout", webhook.Options{URL: "https://h.example.com", Timeout: -time.Second}, "timeout -1s is negative"},
		{"reserved header", webhook.Options{URL: "https://h.example.com", Headers: map[string]string{"content-type": "text/plain"}},
			`header "content-type": set by vigil`},
		{"bad header name", webhook.Options{URL: "https://h.example.com", Headers: map[string]string{"X Team": "a"}},
			`header "X Team": not a valid header name`},
		{"bad header value", webhook.Options{URL: "https://h.example.com", Headers: map[string]string{"X-Team": "a\r\nHost: evil"}},
			`header "X-Team": value holds a line break`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webhook.New(tt.opts)
			if tt.errHas == "" && err != nil || tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)) {
				t.Errorf("New() error = %v, want %q", err, tt.errHas)
			}
		})
	}
}
