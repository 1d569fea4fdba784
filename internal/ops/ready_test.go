package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// checker is a Ready func whose verdict the test sets and whose calls it
// counts.
type checker struct {
	calls atomic.Int64
	err   atomic.Pointer[error]
}

func (c *checker) set(err error) { c.err.Store(&err) }

func (c *checker) Ready(context.Context) error {
	c.calls.Add(1)
	if p := c.err.Load(); p != nil {
		return *p
	}
	return nil
}

// readyServer starts a server whose readiness is chk, on a fake clock,
// logging to the returned buffer.
func readyServer(t *testing.T, chk func(context.Context) error, timeout time.Duration) (string, *fakeClock, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	log, err := NewLogger(logs, "info", "text")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Options{Addr: "127.0.0.1:0", Ready: chk, ReadyTimeout: timeout, Logger: log})
	clock := &fakeClock{t: time.Unix(1700000000, 0)}
	s.ready.now = clock.Now
	return startServer(t, s) + "/readyz", clock, logs
}

func TestReadyTransitions(t *testing.T) {
	chk := &checker{}
	url, clock, logs := readyServer(t, chk.Ready, time.Second)
	c := testClient(t)
	steps := []struct {
		name      string
		err       error
		advance   time.Duration
		wantCode  int
		wantBody  string
		wantCalls int64
	}{
		{name: "ready", wantCode: 200, wantBody: "ready\n", wantCalls: 1},
		{name: "cached while fresh", err: errors.New("source warehouse: connection refused"),
			advance: time.Second, wantCode: 200, wantBody: "ready\n", wantCalls: 1},
		{name: "not ready once stale", err: errors.New("source warehouse: connection refused"),
			advance: 1500 * time.Millisecond, wantCode: 503, wantBody: "not ready: source warehouse: connection refused\n", wantCalls: 2},
		{name: "still not ready", err: errors.New("source warehouse: dial clickhouse://vigil:hunter2@db:9000: refused"),
			advance: 3 * time.Second, wantCode: 503, wantBody: "not ready: source warehouse: dial clickhouse://vigil:<secret>@db:9000: refused\n", wantCalls: 3},
		{name: "ready again", advance: 3 * time.Second, wantCode: 200, wantBody: "ready\n", wantCalls: 4},
		{name: "cached again", err: errors.New("config not loaded"), wantCode: 200, wantBody: "ready\n", wantCalls: 4},
	}
	for _, st := range steps {
		chk.set(st.err)
		clock.Advance(st.advance)
		got := do(t, c, "GET", url)
		if got.code != st.wantCode || got.body != st.wantBody {
			t.Errorf("%s: /readyz = %d %q, want %d %q", st.name, got.code, got.body, st.wantCode, st.wantBody)
		}
		if n := chk.calls.Load(); n != st.wantCalls {
			t.Errorf("%s: Ready called %d times, want %d", st.name, n, st.wantCalls)
		}
	}
	out := logs.String()
	if strings.Contains(out, "hunter2") {
		t.Errorf("log shows the password:\n%s", out)
	}
	if n := strings.Count(out, `msg="not ready"`); n != 1 {
		t.Errorf("logged %d not-ready lines, want 1 (only on the change):\n%s", n, out)
	}
	if n := strings.Count(out, "msg=ready"); n != 2 {
		t.Errorf("logged %d ready lines, want 2:\n%s", n, out)
	}
}

func TestReadyCacheUnderLoad(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	url, _, _ := readyServer(t, func(ctx context.Context) error {
		calls.Add(1)
		<-release
		return nil
	}, 10*time.Second)
	c := testClient(t)

	const probes = 20
	results := make(chan response, probes)
	for range probes {
		go func() { results <- get(c, url) }()
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range probes {
		if r := <-results; r.code != 200 {
			t.Errorf("probe = %d %q, want 200", r.code, r.body)
		}
	}
	// The clock never moved: probes that came after the check reused it,
	// and those during it waited for the one in flight.
	if n := calls.Load(); n != 1 {
		t.Errorf("%d probes called Ready %d times, want 1", probes, n)
	}
}

func TestReadyFailures(t *testing.T) {
	tests := []struct {
		name     string
		ready    func(context.Context) error
		wantBody string
	}{
		{name: "timeout honoured", ready: func(ctx context.Context) error {
			<-ctx.Done()
			return fmt.Errorf("ping warehouse: %w", ctx.Err())
		}, wantBody: "not ready: readiness check timed out after 20ms: ping warehouse: context deadline exceeded\n"},
		{name: "timeout ignored", ready: func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(200 * time.Millisecond)
			return nil
		}, wantBody: "not ready: readiness check timed out after 20ms\n"},
		{name: "panic", ready: func(context.Context) error { panic("nil source") },
			wantBody: "not ready: readiness check panicked: nil source\n"},
		{name: "secret in the error", ready: func(context.Context) error {
			return errors.New("slack: token=xoxb-123-abc rejected")
		}, wantBody: "not ready: slack: token=<secret> rejected\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, _, _ := readyServer(t, tt.ready, 20*time.Millisecond)
			got := do(t, testClient(t), "GET", url)
			if got.code != http.StatusServiceUnavailable || got.body != tt.wantBody {
				t.Errorf("/readyz = %d %q, want 503 %q", got.code, got.body, tt.wantBody)
			}
		})
	}
}

func TestReadyJoinsCheckInFlight(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int64
	url, clock, _ := readyServer(t, func(context.Context) error {
		calls.Add(1)
		<-release // hung: ignores its context
		return nil
	}, 20*time.Millisecond)
	c := testClient(t)
	for i := range 3 {
		clock.Advance(time.Minute) // every verdict is stale
		if got := do(t, c, "GET", url); got.code != 503 {
			t.Errorf("probe %d = %d %q, want 503", i, got.code, got.body)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("a hung check was started %d times, want once", n)
	}
}

func TestReadyReasonIsCut(t *testing.T) {
	long := strings.Repeat("é", maxReason) // two bytes each: a cut may fall inside one
	url, _, _ := readyServer(t, func(context.Context) error { return errors.New(long) }, time.Second)
	got := do(t, testClient(t), "GET", url)
	if got.code != 503 || len(got.body) > maxReason+len("not ready: …\n") {
		t.Errorf("/readyz = %d with a %d-byte body, want 503 and at most about %d bytes", got.code, len(got.body), maxReason)
	}
	if !utf8.ValidString(got.body) || !strings.HasSuffix(got.body, "é…\n") {
		t.Errorf("/readyz body ends %q, want a whole character and an ellipsis", got.body[len(got.body)-8:])
	}
}

// TestReadyQuietOnShutdown checks that the check cancelled by shutdown is
// not logged as vigil becoming unready.
func TestReadyQuietOnShutdown(t *testing.T) {
	called := make(chan struct{})
	logs := &lockedBuffer{}
	s := NewServer(Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Ready: func(ctx context.Context) error {
			close(called)
			<-ctx.Done()
			return ctx.Err()
		}})
	addr, err := s.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := testClient(t)
	done := make(chan response, 1)
	go func() { done <- get(c, "http://"+addr+"/readyz") }()
	<-called
	if err := s.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if r := <-done; r.code != 503 {
		t.Errorf("probe cut by shutdown = %d %q, want 503", r.code, r.body)
	}
	if out := logs.String(); strings.Contains(out, "not ready") {
		t.Errorf("shutdown logged a readiness change:\n%s", out)
	}
}
