// Package clickhouse is vigil's ClickHouse source, over the native protocol.
//
// Its SQL runs on old servers (Debian's 18.16) and current releases alike:
// buckets are computed with intDiv over Unix seconds and with toDate in the
// rule's zone, and gaps are filled in Go, so neither toStartOfInterval,
// WITH FILL nor DateTime64 is needed. Time bounds are bound with ? and
// written into the query by the client, escaped.
package clickhouse

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Options configure a ClickHouse source.
type Options struct {
	// DSN is clickhouse://user:password@host:9000/database?settings; it
	// usually comes from the environment, and is never written to errors.
	DSN string
	// TLS, when set, encrypts the connection (and overrides the DSN's
	// secure=true).
	TLS *tls.Config
	// ConnectTimeout bounds dialling; zero keeps the DSN's dial_timeout or
	// the client's default.
	ConnectTimeout time.Duration
	// QueryTimeout bounds each query on the client side; zero leaves it to
	// the caller's context.
	QueryTimeout time.Duration
	// MaxExecutionTime is the server's max_execution_time for vigil's
	// queries, rounded up to whole seconds; zero leaves the server's.
	MaxExecutionTime time.Duration
	// Logger receives a warning for each query that vigil stopped waiting
	// for and killed on the server; nil discards it.
	Logger *slog.Logger
}

// Source is a ClickHouse server that answers vigil's queries. It is safe for
// concurrent use.
type Source struct {
	conn    driver.Conn
	addr    string
	timeout time.Duration
	maxExec bool // the server's max_execution_time was set in Options
	log     *slog.Logger

	mu     sync.Mutex
	closed bool
	kills  sync.WaitGroup // KILL QUERY statements in flight
}

// Open sets up a connection pool. It does not contact the server, so that
// vigil starts while a warehouse is down; Ping checks it.
func Open(ctx context.Context, opts Options) (*Source, error) {
	if strings.TrimSpace(opts.DSN) == "" {
		return nil, errors.New("clickhouse: dsn is empty")
	}
	o, err := ch.ParseDSN(opts.DSN)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: dsn: %w", err)
	}
	if opts.TLS != nil {
		o.TLS = opts.TLS
	}
	if opts.ConnectTimeout > 0 {
		o.DialTimeout = opts.ConnectTimeout
	}
	if opts.MaxExecutionTime > 0 {
		if o.Settings == nil {
			o.Settings = ch.Settings{}
		}
		o.Settings["max_execution_time"] = int(math.Ceil(opts.MaxExecutionTime.Seconds()))
	}
	conn, err := ch.Open(o)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: open %s: %w", strings.Join(o.Addr, ","), err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{conn: conn, addr: strings.Join(o.Addr, ","), timeout: opts.QueryTimeout,
		maxExec: opts.MaxExecutionTime > 0, log: log}, nil
}

// Ping checks that the server answers.
func (s *Source) Ping(ctx context.Context) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if err := s.conn.Ping(ctx); err != nil {
		return fmt.Errorf("clickhouse %s: ping: %w", s.addr, err)
	}
	return nil
}

// Conn returns the connection pool, for breakdown queries and tests.
func (s *Source) Conn() driver.Conn { return s.conn }

// Close waits for the KILL QUERY statements in flight, each bounded by a
// few seconds, and closes the connections.
func (s *Source) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.kills.Wait()
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("clickhouse %s: close: %w", s.addr, err)
	}
	return nil
}

func (s *Source) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout > 0 {
		return context.WithTimeout(ctx, s.timeout)
	}
	return ctx, func() {}
}

// queryContext returns the context of one query, bounded by QueryTimeout,
// and the context to hand the client for it. When MaxExecutionTime is set
// the latter hides the deadline, and only the deadline: clickhouse-go would
// replace the server's max_execution_time with the deadline plus five
// seconds. The query is still cancelled when the first context ends.
func (s *Source) queryContext(ctx context.Context) (context.Context, context.Context, context.CancelFunc) {
	ctx, cancel := s.withTimeout(ctx)
	if _, ok := ctx.Deadline(); !ok || !s.maxExec {
		return ctx, ctx, cancel
	}
	qctx, qcancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, qcancel)
	return ctx, qctx, func() { stop(); qcancel(); cancel() }
}
