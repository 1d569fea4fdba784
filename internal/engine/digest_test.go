package engine

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
	"vigil/notifiers/slack/slacktest"
)

// slackEpoch is when the fake Slack's messages are stamped: the digest
// tests run the Slack notifier's clock an hour after it, so that its
// search of a channel's recent history sees them.
var slackEpoch = time.Unix(1772460000, 0).UTC()

// digestPattern makes two incidents of orders: one at bucket 0 that
// resolves at 2, one at 3 still firing.
const digestPattern = "A..A"

// digestProc is one run of vigil on a state file: a store, an engine whose
// Slack notifier team sends alerts only to its digest, and an outbox.
type digestProc struct {
	s      *state.Store
	run    slackRun
	o      *Outbox
	cancel context.CancelFunc
	done   chan error
}

func openDigestProc(t *testing.T, path string, srv *slacktest.Server) *digestProc {
	t.Helper()
	s, err := state.Open(path, state.Options{Timeout: -1})
	check(t, err)
	run, o := newSlackRun(t, s, srv, digestPattern, "", func() time.Time { return slackEpoch.Add(time.Hour) },
		func(nc *config.Notifier) { nc.Digest, nc.DigestOnly = "0 9 * * *", true })
	p := &digestProc{s: s, run: run, o: o}
	t.Cleanup(func() { p.halt(t); s.Close() })
	return p
}

// start runs the outbox.
func (p *digestProc) start() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan error, 1)
	go func() { p.done <- p.o.Run(ctx, time.Second) }()
}

// halt stops the outbox, if it runs.
func (p *digestProc) halt(t *testing.T) {
	if p.cancel == nil {
		return
	}
	p.cancel()
	if err := <-p.done; err != nil {
		t.Errorf("Outbox.Run() = %v", err)
	}
	p.cancel = nil
}

// stop stops the outbox and closes the store, as a shutdown does.
func (p *digestProc) stop(t *testing.T) {
	p.halt(t)
	check(t, p.s.Close())
}

func (p *digestProc) flush(t *testing.T, at time.Time) int {
	t.Helper()
	n, err := p.run.e.flushDigest("team", at)
	check(t, err)
	return n
}

// TestDigestSurvivesRestart collects two incidents for a digest, stops
// vigil at each point of a digest's way (or kills it, by carrying on from
// a copy of the state file made at that point), starts it again and
// flushes: one digest is posted, listing each incident once, and nothing
// is left to post.
func TestDigestSurvivesRestart(t *testing.T) {
	tests := []struct {
		name    string
		stage   string // what the first run does after collecting
		pending int    // digest deliveries pending when the second run starts
	}{
		{"stopped before the flush", "", 0},
		{"stopped after the flush, before the post", "flushed", 1},
		{"killed between the post and its record", "posted", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := slacktest.New(t, testBotToken, testAppToken)
			srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
			dir := t.TempDir()
			path := filepath.Join(dir, "state.db")
			first := openDigestProc(t, path, srv)
			crashed := filepath.Join(dir, "crashed.db")
			arm, snapshot := snapshotAt(t, first.o, path, crashed)
			first.start()
			for b := range len(digestPattern) {
				first.run.judge(t, first.s, b)
			}
			if got := srv.TopLevel(alertsID); len(got) != 0 {
				t.Fatalf("digest only: %d messages before the digest, want none", len(got))
			}
			switch tt.stage {
			case "flushed":
				first.halt(t)
				if n := first.flush(t, slackEpoch.Add(2*time.Hour)); n != 1 {
					t.Fatalf("flush enqueued %d digests, want 1", n)
				}
			case "posted":
				path = crashed
				arm()
				if n := first.flush(t, slackEpoch.Add(2*time.Hour)); n != 1 {
					t.Fatalf("flush enqueued %d digests, want 1", n)
				}
				settled(t, first.s, "")
				snapshot()
				if got := srv.TopLevel(alertsID); len(got) != 1 {
					t.Fatalf("the first run posted %d digests, want 1", len(got))
				}
			}
			first.stop(t)

			second := openDigestProc(t, path, srv)
			p, err := second.s.Pending(0)
			check(t, err)
			if len(p) != tt.pending || len(p) > 0 && p[0].Event != state.EventDigest {
				t.Fatalf("the second run starts with %d deliveries pending (%+v), want %d digest", len(p), p, tt.pending)
			}
			searches := len(srv.Calls("conversations.history"))
			second.start()
			if tt.stage == "" {
				second.flush(t, slackEpoch.Add(2*time.Hour))
			}
			settled(t, second.s, "")
			if tt.pending > 0 && len(srv.Calls("conversations.history")) == searches {
				t.Error("the pending digest was sent without looking in the channel for it first")
			}
			checkDigest(t, srv, 2)
			if items, err := second.s.DigestItems("team"); err != nil || len(items) != 0 {
				t.Errorf("DigestItems after the digest = %d items, %v; want none", len(items), err)
			}
			if n := second.flush(t, slackEpoch.Add(3*time.Hour)); n != 0 {
				t.Errorf("the next flush enqueued %d digests, want none", n)
			}
		})
	}
}

// snapshotAt arranges for the state file at src to be copied to dst when,
// once armed, the outbox o has sent a delivery and not yet recorded it:
// the file a SIGKILL at that moment would leave. Call it before o runs.
// wait waits for the copy.
func snapshotAt(t *testing.T, o *Outbox, src, dst string) (arm, wait func()) {
	t.Helper()
	var once sync.Once
	var armed atomic.Bool
	copied := make(chan error, 1)
	o.hook = func(step string) {
		if step == "sent" && armed.Load() {
			once.Do(func() {
				data, err := os.ReadFile(src)
				if err == nil {
					err = os.WriteFile(dst, data, 0o600)
				}
				copied <- err
			})
		}
	}
	return func() { armed.Store(true) }, func() {
		select {
		case err := <-copied:
			check(t, err)
		case <-time.After(20 * time.Second):
			t.Fatal("no delivery was sent")
		}
	}
}

// checkDigest checks that #alerts holds exactly one message, a digest that
// lists incidents incidents, each once: the one at bucket 0 resolved, the
// other still firing.
func checkDigest(t *testing.T, srv *slacktest.Server, incidents int) {
	t.Helper()
	top := srv.TopLevel(alertsID)
	if len(top) != 1 {
		for _, m := range top {
			t.Logf("message: %s", m.Text)
		}
		t.Fatalf("%d messages in #alerts, want one digest", len(top))
	}
	text := top[0].Text
	want := map[string]int{
		"vigil digest: 2 incidents": 1, "• *Orders": incidents,
		"Orders at " + hour(0).Format("15:04"): 1, "Orders up 50% at " + hour(3).Format("15:04"): 1,
		", resolved": 1, ", still firing": 1,
	}
	for s, n := range want {
		if got := strings.Count(text, s); got != n {
			t.Errorf("digest %q has %q %d times, want %d", text, s, got, n)
		}
	}
}

// TestDigestItemsOfRemovedNotifiers: what was collected for a notifier that
// no longer has a digest is dropped, with a log line, when the daemon
// starts and when a reload removes the notifier; a configured digest's
// items stay.
func TestDigestItemsOfRemovedNotifiers(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	dir := t.TempDir()
	path := slackDaemonConfig(t, dir, ", digest: '0 9 * * *'")
	s := openStore(t)
	seed := func(notifier, incident string) {
		check(t, s.Update(func(tx *state.Tx) error {
			return tx.CollectDigest(notifier, "#alerts", incident, func(json.RawMessage) (json.RawMessage, error) {
				return json.RawMessage(`{}`), nil
			})
		}))
	}
	seed("gone", "orders@1")
	seed("gone", "orders@2")
	seed("team", "orders@1")
	var logs strings.Builder
	cfg, err := config.Load(path)
	check(t, err)
	d, err := NewDaemon(context.Background(), cfg, DaemonOptions{
		Options: Options{Store: s, Now: func() time.Time { return fixedNow }, SlackAPIURL: srv.APIURL(),
			Logger: slog.New(slog.NewTextHandler(&logs, nil))},
		Load: func() (*config.Config, error) { return config.Load(path) },
	})
	check(t, err)
	t.Cleanup(func() { d.Close() })
	items := func(notifier string) int {
		its, err := s.DigestItems(notifier)
		check(t, err)
		return len(its)
	}

	d.prune() // as Run does first
	if gone, team := items("gone"), items("team"); gone != 0 || team != 1 {
		t.Errorf("after the start: %d items of gone, %d of team; want 0 and 1", gone, team)
	}
	if want := "notifier=gone items=2"; !strings.Contains(logs.String(), want) {
		t.Errorf("logs %q, want a line with %q", logs.String(), want)
	}

	daemonConfig(t, dir, "", "orders") // team removed: only the console notifier out
	check(t, d.Reload(context.Background()))
	if team := items("team"); team != 0 {
		t.Errorf("after the reload: %d items of team, want 0", team)
	}
	if want := "notifier=team items=1"; !strings.Contains(logs.String(), want) {
		t.Errorf("logs %q, want a line with %q", logs.String(), want)
	}
}

// TestDigestRefusedKeepsIncidents: a digest Slack refuses for good (its
// channel does not exist) is given up once, counted as a failed delivery,
// and its incidents go back into the collection, merged with what was
// collected about them meanwhile; the next digest, after the channel was
// made, lists them.
func TestDigestRefusedKeepsIncidents(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken) // no #alerts yet
	p := openDigestProc(t, filepath.Join(t.TempDir(), "state.db"), srv)
	obs := newObserver()
	p.o.obs = obs
	once := func(b int) {
		if res := p.run.e.Once(context.Background(), evalAt(b), nil)[0]; res.Failed() {
			t.Fatalf("bucket %d: %v %v", b, res.Err, res.NotifyErr)
		}
	}
	once(0) // the incident at 0 fires
	once(1)
	if n := p.flush(t, slackEpoch.Add(2*time.Hour)); n != 1 {
		t.Fatalf("flush enqueued %d digests, want 1", n)
	}
	once(2) // before the digest fails: the incident at 0 resolves, and
	once(3) // the one at 3 fires
	p.start()
	settled(t, p.s, "")
	eventually(t, "the failed digest counted", func() bool {
		obs.mu.Lock()
		defer obs.mu.Unlock()
		return obs.deliveries[deliveryFailed] == 1
	})
	obs.mu.Lock()
	if obs.failures["rejected"] != 1 {
		t.Errorf("delivery failures by reason = %v, want one rejected", obs.failures)
	}
	obs.mu.Unlock()
	d, ok, err := p.s.GetDelivery(state.DeliveryKey("digest:team/#alerts", state.EventDigest, 1, "team"))
	if err != nil || !ok || d.State != state.DeliveryFailed || !strings.Contains(d.LastError, "#alerts not found") {
		t.Fatalf("the digest delivery = %v %s %q, %v; want it failed: #alerts not found", ok, d.State, d.LastError, err)
	}
	if posts := len(srv.Calls("chat.postMessage")); posts != 0 {
		t.Fatalf("%d posts, want none", posts)
	}
	if items, err := p.s.DigestItems("team"); err != nil || len(items) != 2 {
		t.Fatalf("DigestItems after the refusal = %d items, %v; want both incidents back", len(items), err)
	}

	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	if n := p.flush(t, slackEpoch.Add(3*time.Hour)); n != 1 {
		t.Fatalf("the next flush enqueued %d digests, want 1", n)
	}
	settled(t, p.s, "")
	checkDigest(t, srv, 2)
	if items, err := p.s.DigestItems("team"); err != nil || len(items) != 0 {
		t.Errorf("DigestItems after the digest = %d items, %v; want none", len(items), err)
	}
}
