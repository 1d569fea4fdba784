package state

import (
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestCrashKeepsWholeTransactions kills (SIGKILL) a child process in the
// middle of a loop of Update transactions, five times over the same file,
// and checks after each kill that the file opens and holds whole
// transactions only: every transaction changes three records together, so
// any partial one would show as a disagreement between them.
func TestCrashKeepsWholeTransactions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	r := rand.New(rand.NewPCG(7, 11))
	committed := 0
	for round := range 5 {
		cmd, _, out := child(t, "crash", path)
		target := committed + 20 + r.IntN(80)
		printed := committed
		for printed < target && out.Scan() {
			n, err := strconv.Atoi(out.Text())
			if err != nil {
				t.Fatalf("round %d: child printed %q", round, out.Text())
			}
			printed = n
		}
		if printed < target {
			t.Fatalf("round %d: child stopped after %d commits, before %d", round, printed, target)
		}
		// Kill without waiting: the child is mid-transaction or between two.
		must(t, cmd.Process.Kill())
		for out.Scan() { // lines written before it died
			if n, err := strconv.Atoi(out.Text()); err == nil {
				printed = n
			}
		}
		_ = cmd.Wait()

		committed = checkCrashStore(t, path, printed)
		t.Logf("round %d: killed after %d printed commits; the store holds %d", round, printed, committed)
	}
}

// checkCrashStore opens the file a killed child wrote and checks that its
// records agree; it returns the number of whole transactions.
func checkCrashStore(t *testing.T, path string, printed int) int {
	t.Helper()
	s, err := Open(path, testOptions())
	if err != nil {
		t.Fatalf("Open after kill: %v", err)
	}
	defer s.Close()
	id := IncidentID(crashRule, crashSeries, crashStart)
	inc, ok, err := s.GetIncident(id)
	if err != nil || !ok {
		t.Fatalf("GetIncident after kill = %v, %v", ok, err)
	}
	n := inc.Notifications
	// A printed commit returned from Update, so it is on disk; at most one
	// more may have committed before the kill landed.
	if n < printed || n > printed+1 {
		t.Errorf("store holds %d transactions, child reported %d committed", n, printed)
	}
	ds, err := s.Deliveries(id)
	must(t, err)
	if len(ds) != n {
		t.Errorf("%d deliveries for %d transactions", len(ds), n)
	}
	for i, d := range ds {
		if want := DeliveryKey(id, EventUpdate, i+1, "console"); d.Key != want || string(d.Payload) != strconv.Itoa(i+1) {
			t.Errorf("delivery %d = %q payload %s, want %q", i, d.Key, d.Payload, want)
		}
	}
	if p, _ := s.Pending(0); len(p) != n {
		t.Errorf("%d pending deliveries for %d transactions", len(p), n)
	}
	judged, _, err := s.LastJudged(crashRule)
	must(t, err)
	if want := crashStart.Add(time.Duration(n) * time.Hour); !judged.Equal(want) {
		t.Errorf("LastJudged = %v after %d transactions, want %v", judged, n, want)
	}
	return n
}
