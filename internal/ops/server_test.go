package ops

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
)

// lockedBuffer is a log sink the server's goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testClient has a transport of its own, so its idle connections can be
// closed before goroutines are counted.
func testClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// startServer starts s on a free loopback port and shuts it down when the
// test ends; it returns the base URL.
func startServer(t *testing.T, s *Server) string {
	t.Helper()
	addr, err := s.Start(context.Background())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return "http://" + addr
}

type response struct {
	code        int
	contentType string
	body        string
}

func do(t *testing.T, c *http.Client, method, url string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), string(body)}
}

// get is do for goroutines other than the test's: it reports a failure
// as status 0 and the error as the body.
func get(c *http.Client, url string) response {
	resp, err := c.Get(url)
	if err != nil {
		return response{body: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{body: err.Error()}
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), string(body)}
}

func TestRoutes(t *testing.T) {
	reg := NewRegistry()
	m := NewMetrics(reg)
	m.AddRule("orders")
	m.ObserveEvaluation("orders", ResultAnomaly, time.Second)
	m.SetFiring("orders", 1)
	m.Reload(true, time.Unix(1700000000, 0))
	m.SetRules(1)
	base := startServer(t, NewServer(Options{Addr: "127.0.0.1:0", Registry: reg}))
	c := testClient(t)

	tests := []struct {
		name, method, path string
		wantCode           int
		wantType           string
		wantBody           []string
	}{
		{name: "index", method: "GET", path: "/", wantCode: 200, wantType: "text/html",
			wantBody: []string{`href="/metrics"`, `href="/healthz"`, `href="/readyz"`}},
		{name: "healthz", method: "GET", path: "/healthz", wantCode: 200, wantType: "text/plain", wantBody: []string{"ok\n"}},
		{name: "healthz head", method: "HEAD", path: "/healthz", wantCode: 200, wantType: "text/plain"},
		{name: "readyz without a check", method: "GET", path: "/readyz", wantCode: 200, wantBody: []string{"ready\n"}},
		{name: "metrics", method: "GET", path: "/metrics", wantCode: 200, wantType: "text/plain", wantBody: []string{
			"# HELP vigil_evaluations_total Rule evaluations by outcome",
			`vigil_evaluations_total{result="anomaly",rule="orders"} 1`,
			`vigil_evaluations_total{result="error",rule="orders"} 0`,
			`vigil_evaluation_duration_seconds_count{rule="orders"} 1`,
			`vigil_alerts_firing{rule="orders"} 1`,
			`vigil_config_last_reload_successful 1`,
			`vigil_rules 1`,
			"vigil_build_info{",
			"go_goroutines ",
			"process_start_time_seconds ",
			"promhttp_metric_handler_requests_total",
		}},
		{name: "unknown path", method: "GET", path: "/nope", wantCode: 404},
		{name: "post", method: "POST", path: "/healthz", wantCode: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, c, tt.method, base+tt.path)
			if got.code != tt.wantCode {
				t.Fatalf("%s %s = %d, want %d; body %q", tt.method, tt.path, got.code, tt.wantCode, got.body)
			}
			if !strings.HasPrefix(got.contentType, tt.wantType) {
				t.Errorf("%s %s Content-Type = %q, want %q", tt.method, tt.path, got.contentType, tt.wantType)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(got.body, w) {
					t.Errorf("%s %s body lacks %q:\n%s", tt.method, tt.path, w, got.body)
				}
			}
			if tt.method == "HEAD" && got.body != "" {
				t.Errorf("HEAD %s has a body %q", tt.path, got.body)
			}
		})
	}
}

func TestServerDefaults(t *testing.T) {
	s := NewServer(Options{})
	if s.addr != DefaultAddr || DefaultAddr != "127.0.0.1:9464" {
		t.Errorf("default address = %q, want loopback 127.0.0.1:9464", s.addr)
	}
	if s.ready.ttl != DefaultReadyCache || s.ready.timeout != DefaultReadyTimeout {
		t.Errorf("readiness cache %v timeout %v, want %v and %v", s.ready.ttl, s.ready.timeout, DefaultReadyCache, DefaultReadyTimeout)
	}
	if s.Addr() != "" {
		t.Errorf("Addr() before Start = %q, want empty", s.Addr())
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown before Start = %v, want nil", err)
	}
}

func TestStartErrors(t *testing.T) {
	s := NewServer(Options{Addr: "127.0.0.1:0"})
	addr := strings.TrimPrefix(startServer(t, s), "http://")
	if s.Addr() != addr {
		t.Errorf("Addr() = %q, want %q", s.Addr(), addr)
	}
	if _, err := s.Start(context.Background()); err == nil {
		t.Error("second Start succeeded, want an error")
	}
	taken := NewServer(Options{Addr: addr})
	_, err := taken.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("Start on a taken port = %v, want an error naming %s", err, addr)
	}
	stopped := NewServer(Options{Addr: "127.0.0.1:0"})
	if err := stopped.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := stopped.Start(context.Background()); err == nil {
		t.Error("Start after Shutdown succeeded, want an error")
	}
}

// slowCollector blocks a scrape until released.
type slowCollector struct {
	desc            *prometheus.Desc
	called, release chan struct{}
}

func (c *slowCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *slowCollector) Collect(ch chan<- prometheus.Metric) {
	close(c.called)
	<-c.release
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, 42)
}

func TestShutdownIsGraceful(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	slow := &slowCollector{
		desc:   prometheus.NewDesc("vigil_test_slow", "A collector that takes its time.", nil, nil),
		called: make(chan struct{}), release: make(chan struct{}),
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(slow)
	s := NewServer(Options{Addr: "127.0.0.1:0", Registry: reg})
	addr, err := s.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := testClient(t)
	defer c.Transport.(*http.Transport).CloseIdleConnections()
	got := make(chan response, 1)
	go func() { got <- get(c, "http://"+addr+"/metrics") }()
	<-slow.called // a scrape is in flight

	stopped := make(chan error, 1)
	go func() { stopped <- s.Shutdown(context.Background()) }()
	h, rec := s.Handler(), httptest.NewRecorder()
	for rec.Code != http.StatusServiceUnavailable { // wait until Shutdown has begun
		time.Sleep(time.Millisecond)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	}
	if want := "not ready: shutting down\n"; rec.Body.String() != want {
		t.Errorf("readyz while shutting down = %q, want %q", rec.Body.String(), want)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned %v with a scrape in flight", err)
	default:
	}
	close(slow.release)
	if r := <-got; r.code != 200 || !strings.Contains(r.body, "vigil_test_slow 42") {
		t.Errorf("scrape in flight during shutdown = %d %q, want 200 with vigil_test_slow 42", r.code, r.body)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
	if _, err := c.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still answers after Shutdown")
	}
}

func TestShutdownDeadline(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	called, release := make(chan struct{}), make(chan struct{})
	s := NewServer(Options{Addr: "127.0.0.1:0", ReadyTimeout: time.Minute, Ready: func(ctx context.Context) error {
		close(called)
		<-release // ignores ctx: Shutdown must still come back at its deadline
		return nil
	}})
	addr, err := s.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := testClient(t)
	defer c.Transport.(*http.Transport).CloseIdleConnections()
	done := make(chan struct{})
	go func() {
		defer close(done)
		get(c, "http://"+addr+"/readyz")
	}()
	<-called
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("Shutdown past its deadline = %v, want a deadline error", err)
	}
	close(release)
	<-done
}
