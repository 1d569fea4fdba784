package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"vigil/config"
	"vigil/internal/demo"
	"vigil/sources"
	"vigil/sources/clickhouse"
	"vigil/sources/duckdb"
)

// onlineSource is an opened source and what closes it.
type onlineSource struct {
	src   sources.Source
	close func() error
}

// openOnline opens one source of the config as the daemon does: a DuckDB
// source with demo: true gets the demo tables, ending at now's hour, before
// its init statements.
func openOnline(ctx context.Context, sc config.Source, now time.Time) (onlineSource, error) {
	switch sc.Type {
	case "duckdb":
		o := duckdb.Options{Path: sc.Path, Init: sc.Init, QueryTimeout: sc.QueryTimeout}
		if sc.Demo {
			o.Init = nil
		}
		src, err := duckdb.Open(ctx, o)
		if err != nil {
			return onlineSource{}, err
		}
		if sc.Demo {
			if err := loadDemoTables(ctx, src, sc.Init, now); err != nil {
				return onlineSource{}, errors.Join(err, src.Close())
			}
		}
		return onlineSource{src: src, close: src.Close}, nil
	case "clickhouse":
		t, err := onlineTLS(sc.TLS)
		if err != nil {
			return onlineSource{}, err
		}
		src, err := clickhouse.Open(ctx, clickhouse.Options{DSN: sc.DSN, TLS: t, ConnectTimeout: sc.ConnectTimeout,
			QueryTimeout: sc.QueryTimeout, MaxExecutionTime: sc.MaxExecutionTime})
		if err != nil {
			return onlineSource{}, err
		}
		if err := src.Ping(ctx); err != nil {
			return onlineSource{}, errors.Join(fmt.Errorf("ping: %w", err), src.Close())
		}
		return onlineSource{src: src, close: src.Close}, nil
	}
	return onlineSource{}, fmt.Errorf("type %q: want duckdb or clickhouse", sc.Type)
}

func loadDemoTables(ctx context.Context, src *duckdb.Source, init []string, now time.Time) error {
	for _, t := range demo.Generate(now.UTC().Truncate(time.Hour)) {
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

// onlineTLS is the TLS configuration of a ClickHouse source, nil when off.
func onlineTLS(t config.TLS) (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify}
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
