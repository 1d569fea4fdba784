package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// collect records incident in the notifier's digest for channel, counting
// how many times it was collected in its payload.
func collect(t *testing.T, s *Store, notifier, channel, incident string) {
	t.Helper()
	must(t, s.Update(func(tx *Tx) error {
		return tx.CollectDigest(notifier, channel, incident, func(old json.RawMessage) (json.RawMessage, error) {
			n := 0
			if old != nil {
				if err := json.Unmarshal(old, &n); err != nil {
					return nil, err
				}
			}
			return json.Marshal(n + 1)
		})
	}))
}

// flush flushes the notifier's digest at at and lists what it took as
// "channel incident×count".
func flush(t *testing.T, s *Store, notifier string, at time.Time) (DigestFlush, []string) {
	t.Helper()
	var f DigestFlush
	must(t, s.Update(func(tx *Tx) error {
		var err error
		f, err = tx.FlushDigest(notifier, at)
		return err
	}))
	var got []string
	for _, it := range f.Items {
		if it.Notifier != notifier {
			t.Errorf("flush of %s returned an item of %s", notifier, it.Notifier)
		}
		got = append(got, fmt.Sprintf("%s %s×%s", it.Channel, it.Incident, it.Payload))
	}
	return f, got
}

// TestDigestCollectAndFlush: what a notifier collects survives a reopen,
// is merged per channel and incident, and a flush takes out exactly that
// notifier's items, once, numbering the flushes and remembering the last.
func TestDigestCollectAndFlush(t *testing.T) {
	s := newStore(t)
	collect(t, s, "team", "#alerts", "orders@1")
	collect(t, s, "team", "#alerts", "orders@1")
	collect(t, s, "team", "#alerts", "revenue@1")
	collect(t, s, "team", "#major", "orders@1")
	collect(t, s, "team2", "#alerts", "orders@1")
	s = reopen(t, s)

	f, got := flush(t, s, "team", t0)
	want := []string{"#alerts orders@1×2", "#alerts revenue@1×1", "#major orders@1×1"}
	if !slices.Equal(got, want) || f.Seq != 1 || !f.Since.IsZero() {
		t.Errorf("first flush = seq %d since %v %q, want seq 1, no since, %q", f.Seq, f.Since, got, want)
	}
	f, got = flush(t, s, "team", t0.Add(time.Hour))
	if len(got) != 0 || f.Seq != 2 || !f.Since.Equal(t0) {
		t.Errorf("second flush = seq %d since %v %q, want seq 2 since %v and nothing", f.Seq, f.Since, got, t0)
	}
	s = reopen(t, s)
	collect(t, s, "team", "#alerts", "orders@2")
	f, got = flush(t, s, "team", t0.Add(2*time.Hour))
	if !slices.Equal(got, []string{"#alerts orders@2×1"}) || f.Seq != 3 || !f.Since.Equal(t0.Add(time.Hour)) {
		t.Errorf("flush after a reopen = seq %d since %v %q, want seq 3 since %v and orders@2",
			f.Seq, f.Since, got, t0.Add(time.Hour))
	}
	if n, err := s.DigestFlushes("team"); err != nil || n != 3 {
		t.Errorf("DigestFlushes(team) = %d, %v; want 3", n, err)
	}
	if items, err := s.DigestItems("team2"); err != nil || len(items) != 1 {
		t.Errorf("DigestItems(team2) = %v, %v; want its one item untouched", items, err)
	}
}

func TestDigestBadInput(t *testing.T) {
	s := newStore(t)
	keep := func(json.RawMessage) (json.RawMessage, error) { return json.RawMessage(`1`), nil }
	tests := []struct {
		name string
		fn   func(tx *Tx) error
		want string
	}{
		{"empty notifier", func(tx *Tx) error { return tx.CollectDigest("", "#a", "i", keep) }, "notifier is empty"},
		{"NUL in channel", func(tx *Tx) error { return tx.CollectDigest("n", "#a\x00b", "i", keep) }, "contains a NUL byte"},
		{"payload not JSON", func(tx *Tx) error {
			return tx.CollectDigest("n", "#a", "i", func(json.RawMessage) (json.RawMessage, error) { return json.RawMessage(`{`), nil })
		}, "payload is not valid JSON"},
		{"merge fails", func(tx *Tx) error {
			return tx.CollectDigest("n", "#a", "i", func(json.RawMessage) (json.RawMessage, error) { return nil, errors.New("bad item") })
		}, "bad item"},
		{"flush time out of range", func(tx *Tx) error {
			_, err := tx.FlushDigest("n", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
			return err
		}, "outside the years"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Update(tt.fn)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
	if items, err := s.DigestItems("n"); err != nil || len(items) != 0 {
		t.Errorf("DigestItems after bad input = %v, %v; want nothing stored", items, err)
	}
}

// TestMigrateV1ToV2 opens a file that the previous vigil (schema 1) wrote:
// its records stay, and the digest buckets are added.
func TestMigrateV1ToV2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	old, err := openWith(path, testOptions(), migrations[:1])
	must(t, err)
	must(t, old.SetLastJudged("orders", t0))
	_, _, err = old.Enqueue(Delivery{Key: "k", Notifier: "team", Event: EventOpen})
	must(t, err)
	must(t, old.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bDigestItems) != nil {
			t.Error("schema 1 already has the digest buckets: the test makes the wrong file")
		}
		return nil
	}))
	must(t, old.Close())

	s, err := Open(path, testOptions())
	if err != nil {
		t.Fatalf("Open(schema 1 file) = %v", err)
	}
	defer s.Close()
	if got, ok, err := s.LastJudged("orders"); err != nil || !ok || !got.Equal(t0) {
		t.Errorf("LastJudged after the upgrade = %v, %v, %v; want %v", got, ok, err, t0)
	}
	if p, err := s.Pending(0); err != nil || len(p) != 1 || p[0].Key != "k" {
		t.Errorf("Pending after the upgrade = %v, %v; want the delivery k", p, err)
	}
	must(t, s.db.View(func(tx *bolt.Tx) error {
		v, err := s.version(tx)
		if v != 2 {
			t.Errorf("version after the upgrade = %d, want 2", v)
		}
		return err
	}))
	collect(t, s, "team", "#alerts", "orders@1")
	if _, got := flush(t, s, "team", t0); len(got) != 1 {
		t.Errorf("digest after the upgrade = %q, want the one item", got)
	}
}

// TestPruneDigests: the items of notifiers that keep refuses go, more than
// one batch of them; the others' items and every flush count stay.
func TestPruneDigests(t *testing.T) {
	s := newStore(t)
	collect(t, s, "gone", "#alerts", "orders@0")
	flush(t, s, "gone", t0)
	must(t, s.Update(func(tx *Tx) error {
		keep := func(json.RawMessage) (json.RawMessage, error) { return json.RawMessage(`1`), nil }
		for i := range pruneBatch + 10 {
			if err := tx.CollectDigest("gone", "#alerts", fmt.Sprintf("orders@%d", i), keep); err != nil {
				return err
			}
		}
		return nil
	}))
	collect(t, s, "a", "#alerts", "orders@1")
	collect(t, s, "team", "#alerts", "orders@1")
	collect(t, s, "team", "#major", "orders@2")
	collect(t, s, "zz", "#alerts", "orders@1")

	dropped, err := s.PruneDigests(func(n string) bool { return n == "team" })
	must(t, err)
	if want := map[string]int{"gone": pruneBatch + 10, "a": 1, "zz": 1}; !maps.Equal(dropped, want) {
		t.Errorf("PruneDigests = %v, want %v", dropped, want)
	}
	for n, want := range map[string]int{"gone": 0, "a": 0, "zz": 0, "team": 2} {
		if items, err := s.DigestItems(n); err != nil || len(items) != want {
			t.Errorf("DigestItems(%s) after the prune = %d items, %v; want %d", n, len(items), err, want)
		}
	}
	if n, err := s.DigestFlushes("gone"); err != nil || n != 1 {
		t.Errorf("DigestFlushes(gone) after the prune = %d, %v; want 1 kept", n, err)
	}
	if dropped, err := s.PruneDigests(func(string) bool { return true }); err != nil || len(dropped) != 0 {
		t.Errorf("PruneDigests(keep all) = %v, %v; want nothing", dropped, err)
	}
}
