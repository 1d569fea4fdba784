package state

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// mark returns feedback on rule's hour i after t0.
func mark(rule string, i int) Feedback {
	start := t0.Add(time.Duration(i) * time.Hour)
	return Feedback{Rule: rule, Start: start, End: start.Add(time.Hour), Kind: NotAnomaly, By: "ana", At: t0}
}

// readMarks opens the file at path read-only and returns how many
// feedback records rule has there.
func readMarks(t *testing.T, path, rule string) int {
	t.Helper()
	r, err := OpenReadOnly(path, testOptions())
	if err != nil {
		t.Fatalf("OpenReadOnly(%s) = %v", path, err)
	}
	defer r.Close()
	fb, err := r.Feedback(rule, time.Time{}, time.Time{})
	if err != nil {
		t.Fatalf("Feedback in %s: %v", path, err)
	}
	return len(fb)
}

// dirNames returns the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func stat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// TestCopyToReplaces copies a store that a writer holds, twice: each copy
// is whole and readable, the second replaces the first by rename (a
// reader of the first keeps reading it), nothing temporary is left, and
// the store's own file is not written.
func TestCopyToReplaces(t *testing.T) {
	s := newStore(t)
	must(t, s.AddFeedback(mark("orders", 0)))
	snap := SnapshotPath(s.Path())
	live := fileHash(t, s.Path())
	at, err := s.CopyTo(snap)
	if err != nil || !at.Equal(t0) {
		t.Fatalf("CopyTo = %v, %v; want the store's clock %v", at, err, t0)
	}
	old, err := OpenReadOnly(snap, testOptions())
	if err != nil {
		t.Fatalf("OpenReadOnly(snapshot) = %v", err)
	}
	defer old.Close()
	first := stat(t, snap)

	must(t, s.AddFeedback(mark("orders", 1)))
	live = fileHash(t, s.Path())
	if _, err := s.CopyTo(snap); err != nil {
		t.Fatalf("second CopyTo while a reader holds the first copy = %v", err)
	}
	if os.SameFile(stat(t, snap), first) {
		t.Errorf("the second copy was written into the first one's file, not renamed over it")
	}
	if got := readMarks(t, snap, "orders"); got != 2 {
		t.Errorf("the new copy has %d marks, want 2", got)
	}
	if fb, err := old.Feedback("orders", time.Time{}, time.Time{}); err != nil || len(fb) != 1 {
		t.Errorf("the reader of the first copy sees %d marks, %v; want its 1", len(fb), err)
	}
	if got, want := dirNames(t, filepath.Dir(snap)), []string{"state.db", "state.db.snapshot"}; !slices.Equal(got, want) {
		t.Errorf("folder holds %q, want %q", got, want)
	}
	if got := fileHash(t, s.Path()); got != live {
		t.Errorf("CopyTo changed the store's file")
	}
	if err := s.SetLastJudged("orders", t0); err != nil {
		t.Errorf("the writer cannot write after the copies: %v", err)
	}
}

// TestCopyToFails leaves nothing behind and says where it could not write.
func TestCopyToFails(t *testing.T) {
	s := newStore(t)
	dst := filepath.Join(t.TempDir(), "missing", "copy.db")
	if _, err := s.CopyTo(dst); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CopyTo(%s) = %v, want an error wrapping fs.ErrNotExist", dst, err)
	}
	must(t, s.Close())
	if _, err := s.CopyTo(filepath.Join(t.TempDir(), "copy.db")); err == nil {
		t.Errorf("CopyTo on a closed store succeeded")
	}
}

// TestSnapshotWhileLocked is the backtest's case: a daemon holds the
// state file, which a reader cannot open, but its snapshot opens at once.
func TestSnapshotWhileLocked(t *testing.T) {
	s := newStore(t)
	must(t, s.AddFeedback(mark("orders", 0)))
	sn := s.Snapshots(SnapshotOptions{Every: time.Hour})
	defer sn.Close()
	opts := testOptions()
	opts.Timeout = 50 * time.Millisecond
	if _, err := OpenReadOnly(s.Path(), opts); !errors.Is(err, ErrLocked) {
		t.Fatalf("OpenReadOnly(state held by the daemon) = %v, want ErrLocked", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(SnapshotPath(s.Path())); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no snapshot 10 s after Snapshots started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := readMarks(t, SnapshotPath(s.Path()), "orders"); got != 1 {
		t.Errorf("the snapshot has %d marks, want 1", got)
	}
}

// TestWatch announces commits that change incidents or feedback, and no
// others: rule progress, the outbox and rolled-back transactions.
func TestWatch(t *testing.T) {
	inc := firing("orders", "", t0)
	tests := []struct {
		name   string
		change func(s *Store) error
		want   bool
	}{
		{"rule progress", func(s *Store) error { return s.SetLastJudged("orders", t0) }, false},
		{"delivery", func(s *Store) error {
			_, _, err := s.Enqueue(Delivery{Key: "k", Notifier: "slack", Event: EventOpen})
			return err
		}, false},
		{"feedback", func(s *Store) error { return s.AddFeedback(mark("orders", 0)) }, true},
		{"feedback in a batch", func(s *Store) error {
			return s.Batch(func(tx *Tx) error { return tx.AddFeedback(mark("orders", 0)) })
		}, true},
		{"incident", func(s *Store) error { c := inc; return s.PutIncident(&c) }, true},
		{"rolled back", func(s *Store) error {
			err := s.Update(func(tx *Tx) error {
				if err := tx.AddFeedback(mark("orders", 0)); err != nil {
					return err
				}
				return errors.New("changed my mind")
			})
			if err == nil {
				return errors.New("the update did not fail")
			}
			return nil
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			c, stop := s.watch()
			defer stop()
			must(t, tt.change(s))
			got := false
			select {
			case <-c:
				got = true
			default:
			}
			if got != tt.want {
				t.Errorf("announced = %v, want %v", got, tt.want)
			}
		})
	}
}
