package state

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultRetention is how long Prune keeps resolved incidents and finished
// deliveries when the operator sets nothing else: long enough to see a
// quarter's alert history and to compare this week with the same week last
// month, short enough that a year-long run does not grow the file for ever.
const DefaultRetention = 90 * 24 * time.Hour

// DefaultTimeout is how long Open waits for the file lock by default. It
// covers a previous instance that is still shutting down.
const DefaultTimeout = 5 * time.Second

// Options tune Open. The zero value is ready to use.
type Options struct {
	// Timeout is how long Open waits for another process to release the
	// file; zero means DefaultTimeout, a negative value means do not wait.
	Timeout time.Duration
	// Now is the clock for the times the store stamps itself (creation of
	// a delivery, an attempt, a failure); nil means time.Now.
	Now func() time.Time
	// Logger receives migrations and recoveries; nil discards them.
	Logger *slog.Logger
}

// Store is vigil's durable state: incidents, rule progress, the delivery
// outbox and feedback, in one bbolt file. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	now  func() time.Time
	log  *slog.Logger

	watchMu  sync.Mutex
	watchers []chan struct{} // told after a commit that changed incidents or feedback
}

// Tx is one transaction. It is valid only inside the function passed to
// Update or View, and must not be used from other goroutines.
type Tx struct {
	tx *bolt.Tx
	s  *Store

	told bool // a change readers see is announced on commit
}

func (o Options) withDefaults() Options {
	switch {
	case o.Timeout == 0:
		o.Timeout = DefaultTimeout
	case o.Timeout < 0:
		o.Timeout = time.Nanosecond // bbolt tries once, then gives up
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Open opens the state file at path, creating it if it does not exist, and
// brings its schema up to date. It refuses, with a clear error and without
// writing a byte, a file that is locked by another process (ErrLocked),
// damaged (ErrCorrupt) or written by a newer vigil (ErrNewerSchema).
func Open(path string, opts Options) (*Store, error) {
	return openWith(path, opts, migrations)
}

func openWith(path string, opts Options, migs []migration) (*Store, error) {
	opts = opts.withDefaults()
	db, err := openFile(path, opts, migs)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, now: opts.Now, log: opts.Logger}
	if err := s.migrate(migs); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// Path returns the file the store lives in.
func (s *Store) Path() string { return s.path }

// Close releases the file. Calling it again does nothing.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state file %s: %w", s.path, err)
	}
	return nil
}

// Update runs fn in one read-write transaction: every change fn makes is
// committed together, durably, or, if fn returns an error, not at all.
// Writers are serialised, so fn should be short and do no I/O of its own.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.wrap(s.db.Update(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) }))
}

// Batch is Update for many goroutines at once: calls made at about the
// same time share one transaction and one fsync (bbolt's DB.Batch), which
// matters when thousands of rules finish in the same second. fn may run
// more than once, so it must change nothing but the store through tx.
// If one call's fn fails, the others are retried in their own
// transactions and the failing one returns its error.
func (s *Store) Batch(fn func(tx *Tx) error) error {
	return s.wrap(s.db.Batch(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) }))
}

// View runs fn in a read-only transaction that sees one consistent
// snapshot. Views run concurrently with each other and with a writer.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.wrap(s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) }))
}

func (s *Store) wrap(err error) error {
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return fmt.Errorf("state file %s: store is closed: %w", s.path, err)
	}
	return err
}

// update runs fn in Update and returns its result.
func update[T any](s *Store, fn func(tx *Tx) (T, error)) (T, error) {
	var out T
	err := s.Update(func(tx *Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// view runs fn in View and returns its result.
func view[T any](s *Store, fn func(tx *Tx) (T, error)) (T, error) {
	var out T
	err := s.View(func(tx *Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// lookup is view for functions that also say whether they found something.
func lookup[T any](s *Store, fn func(tx *Tx) (T, bool, error)) (T, bool, error) {
	var (
		out T
		ok  bool
	)
	err := s.View(func(tx *Tx) error {
		var err error
		out, ok, err = fn(tx)
		return err
	})
	return out, ok, err
}
