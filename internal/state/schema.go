package state

import (
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Buckets. The layout is described in doc.go.
var (
	bMeta           = []byte("meta")
	bIncidents      = []byte("incidents")
	bIncidentRule   = []byte("incidents_by_rule")
	bOpenIncidents  = []byte("open_incidents")
	bResolved       = []byte("resolved_incidents")
	bRules          = []byte("rules")
	bDeliveries     = []byte("deliveries")
	bQueue          = []byte("delivery_queue")
	bDeliveryByInc  = []byte("deliveries_by_incident")
	bDeliveriesDone = []byte("deliveries_done")
	bFeedback       = []byte("feedback")
	bDigests        = []byte("digests")
	bDigestItems    = []byte("digest_items")
)

// Keys in the meta bucket.
var (
	kSchema = []byte("schema") // uint64, big-endian
	kApp    = []byte("app")    // "vigil"
)

// migration brings the schema from version-1 to version. Each runs inside
// the one transaction that upgrades the file, so an upgrade that fails
// halfway leaves the file at its old version, unchanged.
type migration struct {
	version int
	name    string
	up      func(tx *bolt.Tx) error
}

// migrations is the schema's history; the last entry is the current
// version. Append, never edit: files in the field were made by the old ones.
var migrations = []migration{
	{1, "create the buckets", createV1},
	{2, "add the Slack digest buckets", createV2},
}

// bucketsV1 are the buckets of schema version 1, as migration 1 made them.
var bucketsV1 = [][]byte{bMeta, bIncidents, bIncidentRule, bOpenIncidents, bResolved,
	bRules, bDeliveries, bQueue, bDeliveryByInc, bDeliveriesDone, bFeedback}

// bucketsV2 are the buckets version 2 added: what digests collected.
var bucketsV2 = [][]byte{bDigests, bDigestItems}

// bucketsAt are the buckets of schema version v.
func bucketsAt(v int) [][]byte {
	if v < 2 {
		return bucketsV1
	}
	return slices.Concat(bucketsV1, bucketsV2)
}

func createV1(tx *bolt.Tx) error { return createBuckets(tx, bucketsV1) }

func createV2(tx *bolt.Tx) error { return createBuckets(tx, bucketsV2) }

func createBuckets(tx *bolt.Tx, names [][]byte) error {
	for _, name := range names {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// SchemaVersion is the schema version this vigil writes.
func SchemaVersion() int { return len(migrations) }

// migrate upgrades the file to the last of migs. A file of a newer version
// is refused before any write transaction starts.
func (s *Store) migrate(migs []migration) error {
	latest := len(migs)
	var from int
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		from, err = s.version(tx)
		return err
	})
	switch {
	case err != nil:
		return err
	case from > latest:
		return &NewerSchemaError{Path: s.path, Found: from, Latest: latest}
	case from == latest:
		return s.checkBuckets(latest)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, m := range migs[from:] {
			if err := m.up(tx); err != nil {
				return fmt.Errorf("migrate state file %s to schema %d (%s): %w", s.path, m.version, m.name, err)
			}
		}
		b, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return fmt.Errorf("migrate state file %s: %w", s.path, err)
		}
		if err := b.Put(kApp, []byte("vigil")); err != nil {
			return fmt.Errorf("migrate state file %s: %w", s.path, err)
		}
		return b.Put(kSchema, binary.BigEndian.AppendUint64(nil, uint64(latest)))
	})
	if err != nil {
		return err
	}
	s.log.Info("state file schema upgraded", "path", s.path, "from", from, "to", latest)
	return s.checkBuckets(latest)
}

// checkBuckets makes sure every bucket of schema version v exists, so
// that a missing one is reported at start and not on some later write.
func (s *Store) checkBuckets(v int) error {
	return s.db.View(func(tx *bolt.Tx) error {
		for _, name := range bucketsAt(v) {
			if tx.Bucket(name) == nil {
				return &CorruptError{Path: s.path, Reason: fmt.Sprintf("its bucket %s is missing", name)}
			}
		}
		return nil
	})
}

// version reads the schema version: 0 for a file with no buckets at all
// (new), an error for a bbolt file that is not vigil's.
func (s *Store) version(tx *bolt.Tx) (int, error) {
	b := tx.Bucket(bMeta)
	if b == nil {
		var any bool
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error { any = true; return nil })
		if any {
			return 0, &CorruptError{Path: s.path, Reason: "it is a bbolt database but not a vigil state file (no meta bucket)"}
		}
		return 0, nil
	}
	v := b.Get(kSchema)
	if len(v) != 8 || string(b.Get(kApp)) != "vigil" {
		return 0, &CorruptError{Path: s.path, Reason: "its meta bucket has no valid schema version"}
	}
	return int(binary.BigEndian.Uint64(v)), nil
}
