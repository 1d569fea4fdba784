package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultAddr is where the server listens unless Options.Addr says
// otherwise: loopback only, so that a fresh install exposes nothing to the
// network. To let a Prometheus on another host scrape vigil, set Addr to
// ":9464" (every interface) or a specific address; that choice is the
// operator's, and the endpoints then need the network's protection
// (firewall, Kubernetes network policy), since they have no authentication.
const DefaultAddr = "127.0.0.1:9464"

// Defaults for the readiness check.
const (
	DefaultReadyTimeout = 5 * time.Second
	DefaultReadyCache   = 2 * time.Second
)

// Options configures a Server. Only Registry and Ready matter in practice;
// the zero value of the rest is sensible.
type Options struct {
	// Addr is the host:port to listen on; empty means DefaultAddr
	// (loopback). Port 0 picks a free port, which Start returns.
	Addr string
	// Registry is what /metrics serves; nil means a fresh NewRegistry(),
	// the Go and process metrics alone.
	Registry *prometheus.Registry
	// Ready reports whether vigil can do its job: configuration loaded,
	// sources reachable. nil means always ready. Its error text is shown in
	// the 503 body (through Redact), so it should say what is wrong without
	// quoting credentials. It must return when ctx is done.
	Ready func(ctx context.Context) error
	// ReadyTimeout bounds one readiness check; 0 means DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// ReadyCache is how long a readiness verdict is reused, so probes do not
	// reach the warehouse more often than this; 0 means DefaultReadyCache.
	ReadyCache time.Duration
	// Logger receives the server's own events; nil discards them.
	Logger *slog.Logger
}

// Server serves /metrics, /healthz, /readyz and an index at /.
type Server struct {
	addr  string
	reg   *prometheus.Registry
	log   *slog.Logger
	ready *readiness

	mu      sync.Mutex
	srv     *http.Server
	served  chan struct{} // closed when Serve returns
	cancel  context.CancelFunc
	bound   string
	stopped bool
}

// NewServer returns a server configured by opts; Start makes it listen.
func NewServer(opts Options) *Server {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Registry == nil {
		opts.Registry = NewRegistry()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = DefaultReadyTimeout
	}
	if opts.ReadyCache <= 0 {
		opts.ReadyCache = DefaultReadyCache
	}
	s := &Server{addr: opts.Addr, reg: opts.Registry, log: opts.Logger}
	s.ready = &readiness{
		check: opts.Ready, ttl: opts.ReadyCache, timeout: opts.ReadyTimeout,
		now: time.Now, onChange: s.logReadiness,
	}
	return s
}

// Start binds the listening socket and serves in the background. It
// returns the bound address (host:port, with the real port when Addr asked
// for port 0), or the error that kept it from binding; ctx bounds the bind
// and its values reach every request. A Server starts once.
func (s *Server) Start(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil || s.stopped {
		return "", errors.New("ops server: already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return "", fmt.Errorf("ops server: listen on %s: %w", s.addr, err)
	}
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.ready.setBase(base)
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second, // a scrape of a large registry, and a slow readiness check
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.served, s.cancel, s.bound = make(chan struct{}), cancel, ln.Addr().String()
	go s.serve(s.srv, ln, s.served)
	s.log.Info("ops server listening", "addr", s.bound)
	return s.bound, nil
}

func (s *Server) serve(srv *http.Server, ln net.Listener, served chan struct{}) {
	defer close(served)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		s.log.Error("ops server stopped", "addr", ln.Addr().String(), "err", err)
	}
}

// Addr returns the address the server is bound to, or "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bound
}

// Shutdown stops the server gracefully: /readyz reports "shutting down"
// from the first moment, no new connections are accepted, requests in
// flight finish, and the readiness check in flight is cancelled and waited
// for. When ctx ends first, remaining connections are closed and ctx's
// error is returned. Shutdown before Start, or a second time, does nothing.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, served, cancel := s.srv, s.served, s.cancel
	s.srv, s.stopped = nil, true
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	s.ready.shutdown()
	err := srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("ops server: shutdown: %w", err), srv.Close())
	}
	cancel()
	<-served
	if werr := s.ready.wait(ctx); werr != nil {
		err = errors.Join(err, fmt.Errorf("ops server: %w", werr))
	}
	s.log.Info("ops server stopped", "addr", s.Addr())
	return err
}

// logReadiness logs when vigil becomes ready or stops being ready; probes
// in between are silent.
func (s *Server) logReadiness(err error) {
	if err != nil {
		s.log.Warn("not ready", "err", err)
		return
	}
	s.log.Info("ready")
}
