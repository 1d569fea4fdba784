package state

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// verify checks a freshly opened file before anything is written to it.
// bbolt checksums only its two header (meta) pages; data pages carry no
// checksum, so a full walk of the tree and bbolt's own consistency check
// are what make damage elsewhere visible. On a file of 100,000 records
// they take a fraction of a second, once per start.
func verify(db *bolt.DB, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("open state file: %w", err)
	}
	return db.View(func(tx *bolt.Tx) error {
		if tx.Size() > info.Size() {
			return &CorruptError{Path: path, Reason: fmt.Sprintf(
				"it is %d bytes long but its data reach byte %d: the file was truncated", info.Size(), tx.Size())}
		}
		if err := walk(tx); err != nil {
			return &CorruptError{Path: path, Reason: "a data page is damaged", Err: err}
		}
		return check(tx, path)
	})
}

// walk reads every key and value, turning a panic or a memory fault on a
// damaged page into an error.
func walk(tx *bolt.Tx) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	var sum byte
	err = tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
		sum ^= walkBucket(b)
		return nil
	})
	walkSink.Store(uint32(sum))
	return err
}

// walkSink keeps the compiler from dropping the reads walk makes.
var walkSink atomic.Uint32

// walkBucket touches the last byte of every value, the one most likely to
// sit past the end of a damaged file, so a fault happens here and not later.
func walkBucket(b *bolt.Bucket) byte {
	var sum byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				sum ^= walkBucket(nb)
			}
			continue
		}
		if len(v) > 0 {
			sum ^= v[len(v)-1]
		}
	}
	return sum
}

// check runs bbolt's consistency check: every page reachable exactly once,
// nothing both used and free, keys in order.
func check(tx *bolt.Tx, path string) error {
	var msgs []string
	for err := range tx.Check() {
		if len(msgs) < 3 {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) > 0 {
		return &CorruptError{Path: path, Reason: "its consistency check failed: " + strings.Join(msgs, "; ")}
	}
	return nil
}
