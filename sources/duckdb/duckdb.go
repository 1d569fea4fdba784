// Package duckdb is vigil's embedded source: DuckDB in process, in memory or
// on a file, reading its own tables or whatever its Init statements expose
// (views over Parquet or CSV files, attached databases).
//
// Time columns may be TIMESTAMP, taken as UTC, or TIMESTAMPTZ. Every
// connection runs with TimeZone set to UTC so that the two compare alike;
// calendar buckets in a rule's zone use the ICU time zone functions, which
// this build of DuckDB carries.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Options configure a DuckDB source.
type Options struct {
	// Path is the database file; empty means a private in-memory database.
	Path string
	// Init statements run once, in order, when the source opens: for
	// example CREATE VIEW orders AS SELECT * FROM 'data/orders.parquet'.
	// Settings meant for every connection need SET GLOBAL.
	Init []string
	// QueryTimeout bounds each query; zero leaves it to the caller's context.
	QueryTimeout time.Duration
}

// Source is a DuckDB database that answers vigil's queries. It is safe for
// concurrent use.
type Source struct {
	db      *sql.DB
	timeout time.Duration
	icu     bool // time zone functions are loaded
}

// connInit runs on every new connection. TIMESTAMP values are UTC by vigil's
// convention, so casts between TIMESTAMP and TIMESTAMPTZ must use UTC
// whatever the machine's zone.
func connInit(execer driver.ExecerContext) error {
	_, err := execer.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
	return err
}

// Open opens the database and runs opts.Init. The statements are not
// echoed in errors, as they may hold credentials; the error says which one
// failed.
func Open(ctx context.Context, opts Options) (*Source, error) {
	c, err := duckdb.NewConnector(opts.Path, connInit)
	if err != nil {
		return nil, fmt.Errorf("duckdb: open %q: %w", redact(opts.Path), err)
	}
	s := &Source{db: sql.OpenDB(c), timeout: opts.QueryTimeout}
	for i, stmt := range opts.Init {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return nil, errors.Join(fmt.Errorf("duckdb: init statement %d of %d: %w", i+1, len(opts.Init), err), s.Close())
		}
	}
	// This build links ICU in; other builds may need it installed.
	err = s.db.QueryRowContext(ctx, "SELECT count(*) > 0 FROM duckdb_extensions() WHERE extension_name = 'icu' AND loaded").Scan(&s.icu)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("duckdb: list extensions: %w", err), s.Close())
	}
	return s, nil
}

// DB returns the database handle, for breakdown queries and tests.
func (s *Source) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Source) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("duckdb: close: %w", err)
	}
	return nil
}

// redact drops the options of a database path (path?key=value), which may
// hold tokens.
func redact(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i] + "?<options>"
	}
	return path
}
