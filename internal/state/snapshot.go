package state

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SnapshotSuffix names the read copy a daemon keeps beside its state file:
// vigil-state.db has vigil-state.db.snapshot.
const SnapshotSuffix = ".snapshot"

// SnapshotPath returns where the daemon keeps the read copy of the state
// file at path.
func SnapshotPath(path string) string { return path + SnapshotSuffix }

// CopyTo writes a consistent copy of the store, as of one read
// transaction, to the file at path, and returns when it was taken. The
// copy is written to a temporary file beside path, synced, and renamed
// over path, so that a reader opens either the old copy or the new one,
// whole, and a reader that holds the old one open keeps reading it. It
// runs alongside the store's writers; it never writes the store's file.
func (s *Store) CopyTo(path string) (time.Time, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".new-*")
	if err != nil {
		return time.Time{}, fmt.Errorf("copy state file %s to %s: %w", s.path, path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // nothing left to remove once renamed
	var at time.Time
	err = s.db.View(func(tx *bolt.Tx) error {
		at = s.now()
		_, err := tx.WriteTo(tmp)
		return err
	})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("copy state file %s to %s: %w", s.path, path, s.wrap(err))
	}
	return at, nil
}

// removeStale removes the temporary files that copies to path left behind
// when the process writing them stopped halfway. Only the store's owner
// calls it: it is the only process that copies to its snapshot.
func removeStale(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	stale, _ := filepath.Glob(filepath.Join(dir, "."+base+".new-*"))
	for _, name := range stale {
		_ = os.Remove(name)
	}
}
