package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"vigil/config"
	"vigil/internal/demo"
	"vigil/sources"
	"vigil/sources/clickhouse"
	"vigil/sources/duckdb"
)

// defaultConcurrency limits a source that sets no limit of its own.
const defaultConcurrency = 4

// openSources opens every source of cfg, each behind its concurrency limit
// and query retries, or takes it from opts.Sources when it is open there
// with the same settings. It returns the sources, the ones it opened (for
// closing on failure), and every failure. Errors name the source only: a
// DSN may hold a password.
func openSources(ctx context.Context, cfg *config.Config, opts Options) (map[string]pooledSource, []io.Closer, []error) {
	srcs := map[string]pooledSource{}
	var closers []io.Closer
	var errs []error
	for _, name := range sortedKeys(cfg.Sources) {
		sc := cfg.Sources[name]
		key := sourceKey(sc)
		if opts.Sources != nil {
			if ps, ok := opts.Sources.get(name, key); ok {
				srcs[name] = ps
				continue
			}
		}
		src, err := openSource(ctx, sc, opts)
		if err != nil {
			errs = append(errs, located(sc.Pos, fmt.Errorf("source %q: %w", name, err)))
			continue
		}
		c := closer(src)
		if c != nil {
			closers = append(closers, c)
		}
		n := sc.MaxConcurrency
		if n <= 0 {
			n = defaultConcurrency
		}
		srcs[name] = pooledSource{key: key, src: Retry(Limit(src, n), name, opts.Observer.QueryError), closer: c}
	}
	return srcs, closers, errs
}

func openSource(ctx context.Context, sc config.Source, opts Options) (sources.Source, error) {
	switch sc.Type {
	case "duckdb":
		return openDuckDB(ctx, sc, opts)
	case "clickhouse":
		t, err := tlsConfig(sc.TLS)
		if err != nil {
			return nil, err
		}
		src, err := clickhouse.Open(ctx, clickhouse.Options{
			DSN:              sc.DSN,
			TLS:              t,
			ConnectTimeout:   sc.ConnectTimeout,
			QueryTimeout:     sc.QueryTimeout,
			MaxExecutionTime: sc.MaxExecutionTime,
			Logger:           sourceLogger(opts.Logger, sc.Name),
		})
		if err != nil {
			return nil, fmt.Errorf("open clickhouse: %w", err)
		}
		return src, nil
	}
	return nil, fmt.Errorf("type %q: want duckdb or clickhouse", sc.Type)
}

// openDuckDB opens a DuckDB source. With Demo set it loads the generated
// demo tables first, ending at the current hour, and runs Init after them so
// that Init may build views on the demo tables.
func openDuckDB(ctx context.Context, sc config.Source, opts Options) (sources.Source, error) {
	o := duckdb.Options{Path: sc.Path, Init: sc.Init, QueryTimeout: sc.QueryTimeout}
	if sc.Demo {
		o.Init = nil
	}
	src, err := duckdb.Open(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	if !sc.Demo {
		return src, nil
	}
	if err := loadDemo(ctx, src, sc.Init, opts.Now()); err != nil {
		closeAll([]io.Closer{closer(src)})
		return nil, err
	}
	return src, nil
}

func loadDemo(ctx context.Context, src *duckdb.Source, init []string, now time.Time) error {
	anchor := now.UTC().Truncate(time.Hour)
	for _, t := range demo.Generate(anchor) {
		if err := src.CreateTable(ctx, t.Name, t.Columns, t.Types, t.Rows); err != nil {
			return fmt.Errorf("load demo table %q: %w", t.Name, err)
		}
	}
	for i, stmt := range init {
		if _, err := src.DB().ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("init[%d]: %w", i, err)
		}
	}
	return nil
}

// tlsConfig returns the TLS settings of a ClickHouse source, nil when TLS
// is off.
func tlsConfig(t config.TLS) (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	c := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.InsecureSkipVerify, // the user's explicit choice, for test servers
	}
	if t.CAFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, fmt.Errorf("tls.ca_file: %w", err)
	}
	c.RootCAs = x509.NewCertPool()
	if !c.RootCAs.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("tls.ca_file %s: no PEM certificate found", t.CAFile)
	}
	return c, nil
}

// closer returns src as an io.Closer, nil when it cannot be closed.
func closer(src any) io.Closer {
	c, _ := src.(io.Closer)
	return c
}

// OpenSource opens one source of a config as the daemon does (a DuckDB
// source with demo: true gets the demo tables, ending at now's hour, before
// its init statements) and checks that a warehouse that can be pinged
// answers. Close the source with io.Closer when it has one.
func OpenSource(ctx context.Context, sc config.Source, now time.Time) (sources.Source, error) {
	src, err := openSource(ctx, sc, Options{Now: func() time.Time { return now }})
	if err != nil {
		return nil, err
	}
	if p, ok := src.(pinger); ok {
		if err := p.Ping(ctx); err != nil {
			closeAll([]io.Closer{closer(src)})
			return nil, fmt.Errorf("ping: %w", err)
		}
	}
	return src, nil
}

// sourceLogger is the logger a source writes to, naming it; nil discards.
func sourceLogger(log *slog.Logger, name string) *slog.Logger {
	if log == nil {
		return nil
	}
	return log.With("source", name)
}
