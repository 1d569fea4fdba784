package notifierstest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/notifiers/notifierstest"
)

// post sends body with an Idempotency-Key and returns the answer's status
// and Retry-After header.
func post(t *testing.T, c *http.Client, u, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func TestReceiverScript(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	r.Fail(2)
	r.RateLimit(1, "3")
	r.Respond(1, 418, "teapot")
	r.Stall(1, 10*time.Millisecond)
	tests := []struct {
		name, body   string
		status       int
		retryAfter   string
		accepted     bool
		consumesStep bool
	}{
		{"not JSON, script kept", "nope", 400, "", false, false},
		{"JSON array, script kept", "[1]", 400, "", false, false},
		{"first 500", `{"n":1}`, 500, "", false, true},
		{"second 500", `{"n":2}`, 500, "", false, true},
		{"429", `{"n":3}`, 429, "3", false, true},
		{"418", `{"n":4}`, 418, "", false, true},
		{"stall taken", `{"n":5}`, 200, "", true, true},
		{"then 200", `{"n":6}`, 200, "", true, false},
	}
	for i, tt := range tests {
		status, ra := post(t, http.DefaultClient, r.URL+"/x?y=1", "k", tt.body)
		if status != tt.status || ra != tt.retryAfter {
			t.Errorf("%s: answer = %d, Retry-After %q; want %d, %q", tt.name, status, ra, tt.status, tt.retryAfter)
		}
		req := r.Requests()[i]
		if req.Status != tt.status || req.Accepted != tt.accepted || string(req.Body) != tt.body || req.Path != "/x?y=1" {
			t.Errorf("%s: recorded %+v", tt.name, req)
		}
		if tt.status != 400 && fmt.Sprint(req.JSON["n"]) != fmt.Sprint(i-1) {
			t.Errorf("%s: JSON = %v, want n=%d", tt.name, req.JSON, i-1)
		}
	}
	if got := r.Count("k"); got != 2 {
		t.Errorf("Count(k) = %d, want 2 (the stall and the last 200)", got)
	}
}

func TestReceiverPostOnly(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	resp, err := http.Get(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || r.Unique() != 0 {
		t.Errorf("GET = %d, Unique() = %d; want 405, 0", resp.StatusCode, r.Unique())
	}
}

func TestReceiverLoopback(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	u, err := url.Parse(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		t.Errorf("receiver listens on %s, want a loopback address", u.Host)
	}
}

func TestReceiverCounts(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	r.Fail(1)
	for _, k := range []string{"a", "a", "b", "a", "c"} { // the first "a" fails
		post(t, http.DefaultClient, r.URL, k, `{"key":"`+k+`"}`)
	}
	var order []string
	for _, d := range r.Deliveries() {
		order = append(order, d.Key)
	}
	if r.Count("a") != 2 || r.Count("b") != 1 || r.Count("z") != 0 || r.Unique() != 3 || strings.Join(order, "") != "abc" {
		t.Errorf("Count a, b, z = %d, %d, %d; Unique() = %d; Deliveries %v; want 2, 1, 0; 3; [a b c]",
			r.Count("a"), r.Count("b"), r.Count("z"), r.Unique(), order)
	}
}

// fakeTB records the failures reported to it.
type fakeTB struct {
	testing.TB
	errs []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func TestReceiverExactlyOnce(t *testing.T) {
	tests := []struct {
		name string
		sent []string
		want []string
		errs int
	}{
		{"each once", []string{"a", "b"}, []string{"a", "b"}, 0},
		{"nothing, as wanted", nil, nil, 0},
		{"duplicate", []string{"a", "a", "b"}, []string{"a", "b"}, 1},
		{"missing", []string{"a"}, []string{"a", "b"}, 1},
		{"unexpected", []string{"a", "c"}, []string{"a"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifierstest.NewReceiver(t)
			for _, k := range tt.sent {
				post(t, http.DefaultClient, r.URL, k, `{}`)
			}
			f := &fakeTB{}
			r.ExactlyOnce(f, tt.want...)
			if len(f.errs) != tt.errs {
				t.Errorf("ExactlyOnce reported %q, want %d failures", f.errs, tt.errs)
			}
		})
	}
}

func TestReceiverWait(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			if resp, err := http.Post(r.URL, "application/json", strings.NewReader(fmt.Sprintf(`{"i":%d}`, i))); err == nil {
				resp.Body.Close()
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.Wait(ctx, 3); err != nil || len(r.Requests()) < 3 {
		t.Errorf("Wait(3) = %v with %d requests", err, len(r.Requests()))
	}
	wg.Wait()
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if err := r.Wait(done, 4); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(4) on a cancelled context = %v, want context.Canceled", err)
	}
}

// TestReceiverStallEndsWhenClientGivesUp: a stall of an hour must not
// hold the test once the client has gone.
func TestReceiverStallEndsWhenClientGivesUp(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	r.Stall(1, time.Hour)
	c := &http.Client{Timeout: 20 * time.Millisecond}
	if status, _ := post(t, c, r.URL, "k", `{}`); status != 0 {
		t.Errorf("stalled request answered %d before the client's timeout", status)
	}
	if r.Count("k") != 1 {
		t.Errorf("Count(k) = %d, want 1: a stalled delivery is taken", r.Count("k"))
	}
}
