// Package clickhouse is a placeholder until the ClickHouse source lands.
package clickhouse

import (
	"context"
	"crypto/tls"
	"errors"
	"time"

	"vigil/detector"
	"vigil/sources"
)

var errPlaceholder = errors.New("clickhouse: not implemented")

// Options configures Open.
type Options struct {
	DSN              string
	TLS              *tls.Config
	ConnectTimeout   time.Duration
	QueryTimeout     time.Duration
	MaxExecutionTime time.Duration
}

// Source is a ClickHouse connection.
type Source struct{}

// Open is a placeholder that always fails.
func Open(ctx context.Context, o Options) (*Source, error) { return nil, errPlaceholder }

// Query is a placeholder.
func (s *Source) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	return detector.Series{}, errPlaceholder
}

// Render is a placeholder.
func (s *Source) Render(q sources.Query) (string, error) { return "", errPlaceholder }

// Ping is a placeholder.
func (s *Source) Ping(ctx context.Context) error { return errPlaceholder }

// Close is a placeholder.
func (s *Source) Close() error { return nil }
