// Package duckdb is a placeholder until the DuckDB source lands.
package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"vigil/detector"
	"vigil/sources"
)

var errPlaceholder = errors.New("duckdb: not implemented")

// Options configures Open.
type Options struct {
	Path         string
	Init         []string
	QueryTimeout time.Duration
}

// Source is a DuckDB database.
type Source struct{}

// Open is a placeholder that always fails.
func Open(ctx context.Context, o Options) (*Source, error) { return nil, errPlaceholder }

// Query is a placeholder.
func (s *Source) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	return detector.Series{}, errPlaceholder
}

// Render is a placeholder.
func (s *Source) Render(q sources.Query) (string, error) { return "", errPlaceholder }

// CreateTable is a placeholder.
func (s *Source) CreateTable(ctx context.Context, name string, columns, types []string, rows [][]any) error {
	return errPlaceholder
}

// DB is a placeholder.
func (s *Source) DB() *sql.DB { return nil }

// Close is a placeholder.
func (s *Source) Close() error { return nil }
