package state

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// OpenReadOnly opens the existing state file at path for reading only, for
// tools that look at a daemon's records without taking its place (vigil
// backtest reads feedback). It takes bbolt's shared lock: while a daemon
// holds the file it waits up to opts.Timeout and then returns a
// LockedError (errors.Is ErrLocked), and a daemon that starts meanwhile
// waits for it in turn, so read what is needed and Close at once.
//
// It never creates, migrates or writes the file. A missing file is an
// error that wraps fs.ErrNotExist; a damaged file, or one of a newer
// schema, is refused as Open refuses it, and one of an older schema is read
// as it is. Update and Batch on the
// store fail.
func OpenReadOnly(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if err := statFile(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path, opts, true)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, now: opts.Now, log: opts.Logger}
	if err := s.checkReadable(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// checkReadable makes sure the file is whole and of a schema this vigil
// reads; a read-only store cannot migrate it, so an older one is read as it is.
func (s *Store) checkReadable() error {
	if err := verify(s.db, s.path); err != nil {
		return err
	}
	var found int
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = s.version(tx)
		return err
	})
	switch latest := SchemaVersion(); {
	case err != nil:
		return err
	case found > latest:
		return &NewerSchemaError{Path: s.path, Found: found, Latest: latest}
	case found < 1:
		return fmt.Errorf("state file %s holds no vigil state yet (schema version %d)", s.path, found)
	}
	// An older file is read as it is: the records read here (incidents and
	// feedback) have been in every version.
	return s.checkBuckets(found)
}
