package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migrations[%d].version = %d, want %d", i, m.version, i+1)
		}
		if m.name == "" || m.up == nil {
			t.Errorf("migrations[%d] has no name or no function", i)
		}
	}
}

// writeV0 makes the file a vigil of schema version 0 would have written in
// this fake history: rule progress as RFC 3339 strings in "last_judged".
func writeV0(t *testing.T, path string, judged map[string]time.Time) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	must(t, db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bMeta)
		if err != nil {
			return err
		}
		must(t, meta.Put(kApp, []byte("vigil")))
		must(t, meta.Put(kSchema, binary.BigEndian.AppendUint64(nil, 0)))
		old, err := tx.CreateBucket([]byte("last_judged"))
		if err != nil {
			return err
		}
		for rule, at := range judged {
			must(t, old.Put([]byte(rule), []byte(at.Format(time.RFC3339))))
		}
		return nil
	}))
	must(t, db.Close())
}

// moveLastJudged is the fake v0→v1 migration: it moves "last_judged" into
// the rules bucket as RuleState records, then makes the v1 buckets.
func moveLastJudged(tx *bolt.Tx) error {
	old := tx.Bucket([]byte("last_judged"))
	rules, err := tx.CreateBucketIfNotExists(bRules)
	if err != nil {
		return err
	}
	err = old.ForEach(func(k, v []byte) error {
		at, err := time.Parse(time.RFC3339, string(v))
		if err != nil {
			return fmt.Errorf("rule %s: %w", k, err)
		}
		return putJSON(rules, k, RuleState{LastJudged: at})
	})
	if err != nil {
		return err
	}
	if err := tx.DeleteBucket([]byte("last_judged")); err != nil {
		return err
	}
	return createV1(tx)
}

func TestMigrateV0ToV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	judged := map[string]time.Time{"orders": t0, "signups": t0.Add(-time.Hour)}
	writeV0(t, path, judged)
	runs := 0
	migs := []migration{{1, "move last_judged into rules", func(tx *bolt.Tx) error {
		runs++
		return moveLastJudged(tx)
	}}}

	var logs logBuffer
	opts := testOptions()
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s, err := openWith(path, opts, migs)
	if err != nil {
		t.Fatalf("openWith(v0 file) = %v", err)
	}
	for rule, want := range judged {
		got, ok, err := s.LastJudged(rule)
		if err != nil || !ok || !got.Equal(want) {
			t.Errorf("LastJudged(%s) after migration = %v, %v, %v, want %v", rule, got, ok, err, want)
		}
	}
	must(t, s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("last_judged")) != nil {
			t.Error("the v0 bucket last_judged survived the migration")
		}
		v, err := s.version(tx)
		if v != 1 {
			t.Errorf("version after migration = %d, want 1", v)
		}
		return err
	}))
	if !strings.Contains(logs.String(), "from=0 to=1") {
		t.Errorf("log = %q, want the upgrade from 0 to 1", logs.String())
	}
	must(t, s.Close())

	s, err = openWith(path, opts, migs)
	if err != nil {
		t.Fatalf("reopen = %v", err)
	}
	defer s.Close()
	if runs != 1 {
		t.Errorf("migration ran %d times over two opens, want 1", runs)
	}
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	writeV0(t, path, map[string]time.Time{"orders": t0})
	before := fileHash(t, path)
	migs := []migration{
		{1, "move last_judged into rules", moveLastJudged},
		{2, "something that fails", func(*bolt.Tx) error { return errors.New("disk says no") }},
	}
	_, err := openWith(path, testOptions(), migs)
	if err == nil || !strings.Contains(err.Error(), "to schema 2 (something that fails): disk says no") {
		t.Fatalf("openWith(failing migration) = %v, want the migration's error", err)
	}
	if after := fileHash(t, path); after != before {
		t.Errorf("a failed migration changed the file: %s, was %s", after, before)
	}
	// The file still opens as v0 with the old code's data.
	db, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	defer db.Close()
	must(t, db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("last_judged")).Get([]byte("orders")) == nil {
			t.Error("v0 data lost after a failed migration")
		}
		if tx.Bucket(bRules) != nil {
			t.Error("migration 1 was kept although migration 2 failed")
		}
		return nil
	}))
}

func TestOpenLockedByAnotherProcess(t *testing.T) {
	s := newStore(t)
	must(t, s.SetLastJudged("orders", t0))
	path := s.Path()
	must(t, s.Close())

	cmd, stdin, out := child(t, "hold", path)
	if !out.Scan() || out.Text() != "ready" {
		t.Fatalf("child did not open the store: %q", out.Text())
	}
	before := fileHash(t, path)
	opts := testOptions()
	opts.Timeout = 300 * time.Millisecond
	_, err := Open(path, opts)
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) {
		t.Fatalf("Open(held by another process) = %v, want ErrLocked", err)
	}
	if want := "state file " + path + " is in use by another process"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if after := fileHash(t, path); after != before {
		t.Errorf("Open(locked) changed the file")
	}

	// Once the other process exits, the file opens, waiting if needed.
	go func() {
		time.Sleep(200 * time.Millisecond)
		stdin.Close()
	}()
	opts.Timeout = 10 * time.Second
	s, err = Open(path, opts)
	if err != nil {
		t.Fatalf("Open after the holder exits = %v", err)
	}
	defer s.Close()
	must(t, cmd.Wait())
	if got, _, _ := s.LastJudged("orders"); !got.Equal(t0) {
		t.Errorf("LastJudged = %v, want %v", got, t0)
	}
}

func TestOpenLockedInProcess(t *testing.T) {
	s := newStore(t)
	opts := testOptions()
	opts.Timeout = -1
	if _, err := Open(s.Path(), opts); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open in one process = %v, want ErrLocked", err)
	}
	must(t, s.SetLastJudged("orders", t0)) // the first is unharmed
}

func TestClosedStore(t *testing.T) {
	s := newStore(t)
	must(t, s.Close())
	must(t, s.Close())
	if err := s.SetLastJudged("orders", t0); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("SetLastJudged on a closed store = %v, want an error saying it is closed", err)
	}
}
