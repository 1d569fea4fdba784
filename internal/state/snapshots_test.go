package state

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// copies counts the copies a Snapshotter reports and passes them on.
type copies struct {
	mu   sync.Mutex
	n    int
	errs []error
	c    chan struct{}
}

func newCopies() *copies { return &copies{c: make(chan struct{}, 1000)} }

func (c *copies) written(_ time.Time, err error) {
	c.mu.Lock()
	c.n++
	if err != nil {
		c.errs = append(c.errs, err)
	}
	c.mu.Unlock()
	c.c <- struct{}{}
}

func (c *copies) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// wait waits for the next copy, at most 10 s.
func (c *copies) wait(t *testing.T, what string) {
	t.Helper()
	select {
	case <-c.c:
	case <-time.After(10 * time.Second):
		t.Fatalf("no copy 10 s after %s", what)
	}
}

// TestSnapshotsFollowChanges: a copy on start, one after feedback is given
// (without waiting for Close), and a last one on Close that holds every
// change made before it.
func TestSnapshotsFollowChanges(t *testing.T) {
	s := newStore(t)
	snap := SnapshotPath(s.Path())
	c := newCopies()
	sn := s.Snapshots(SnapshotOptions{Every: 10 * time.Millisecond, Written: c.written})
	c.wait(t, "Snapshots started")
	if got := readMarks(t, snap, "orders"); got != 0 {
		t.Errorf("first copy has %d marks, want 0", got)
	}
	must(t, s.AddFeedback(mark("orders", 0)))
	c.wait(t, "feedback was given")
	if got := readMarks(t, snap, "orders"); got != 1 {
		t.Errorf("copy after feedback has %d marks, want 1", got)
	}
	must(t, s.AddFeedback(mark("orders", 1)))
	inc := firing("orders", "", t0)
	must(t, s.PutIncident(&inc))
	must(t, sn.Close())
	if got := readMarks(t, snap, "orders"); got != 2 {
		t.Errorf("copy after Close has %d marks, want 2", got)
	}
	r, err := OpenReadOnly(snap, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, ok, err := r.GetIncident(inc.ID); !ok || err != nil {
		t.Errorf("the last copy lacks the incident put before Close: %v, %v", ok, err)
	}
	n := c.count()
	must(t, sn.Close()) // again: nothing more
	if c.count() != n {
		t.Errorf("a second Close copied again")
	}
}

// TestSnapshotsDebounce gives feedback as fast as the store takes it:
// the copies follow at most one per Every, and none is made for the
// changes that do not matter to readers.
func TestSnapshotsDebounce(t *testing.T) {
	const every = 100 * time.Millisecond
	s := newStore(t)
	c := newCopies()
	start := time.Now()
	sn := s.Snapshots(SnapshotOptions{Every: every, Written: c.written})
	for i := range 40 {
		must(t, s.AddFeedback(mark("orders", i)))
		must(t, s.SetLastJudged("orders", t0.Add(time.Duration(i)*time.Hour)))
	}
	for range 200 {
		must(t, s.SetLastJudged("returns", t0))
	}
	must(t, sn.Close())
	elapsed := time.Since(start)
	// One copy on start, at most one per every since, and the last.
	if most := 2 + int(elapsed/every); c.count() > most {
		t.Errorf("%d copies in %v, want at most %d (one per %v)", c.count(), elapsed, most, every)
	}
	if c.count() < 2 {
		t.Errorf("%d copies, want at least the first and the last", c.count())
	}
	if got := readMarks(t, SnapshotPath(s.Path()), "orders"); got != 40 {
		t.Errorf("the last copy has %d marks, want 40", got)
	}
}

// TestSnapshotsQuiet makes no copy for changes that readers do not see.
func TestSnapshotsQuiet(t *testing.T) {
	s := newStore(t)
	c := newCopies()
	sn := s.Snapshots(SnapshotOptions{Every: time.Millisecond, Written: c.written})
	c.wait(t, "Snapshots started")
	for range 50 {
		must(t, s.SetLastJudged("orders", t0))
	}
	// A change that matters, after the ones that do not: the copy it
	// causes is the second one, so the others caused none.
	must(t, s.AddFeedback(mark("orders", 0)))
	c.wait(t, "feedback was given")
	if n := c.count(); n != 2 {
		t.Errorf("%d copies after 50 changes of rule progress and one of feedback, want 2", n)
	}
	must(t, sn.Close())
}

// TestSnapshotsStaleAndFailing removes what a copy cut short left behind,
// and reports a copy that cannot be written once in the log and from
// Close, without stopping the store.
func TestSnapshotsStaleAndFailing(t *testing.T) {
	s := newStore(t)
	dir := filepath.Dir(s.Path())
	stale := filepath.Join(dir, ".state.db.snapshot.new-123")
	must(t, os.WriteFile(stale, []byte("half a copy"), 0o600))
	sn := s.Snapshots(SnapshotOptions{})
	must(t, sn.Close())
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale temporary copy is still there: %v", err)
	}

	var logs logBuffer
	c := newCopies()
	bad := filepath.Join(dir, "no-such-folder", "state.db.snapshot")
	sn = s.Snapshots(SnapshotOptions{Path: bad, Every: time.Millisecond, Written: c.written,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c.wait(t, "Snapshots started")
	must(t, s.AddFeedback(mark("orders", 0)))
	c.wait(t, "feedback was given")
	if err := sn.Close(); err == nil || !strings.Contains(err.Error(), "no-such-folder") {
		t.Errorf("Close = %v, want the copy's error", err)
	}
	if n := strings.Count(logs.String(), "cannot write the state snapshot"); n != 1 {
		t.Errorf("logged the failure %d times, want once:\n%s", n, logs.String())
	}
	must(t, s.SetLastJudged("orders", t0))
}
